package models

import (
	"crypto/sha256"
	_ "embed" // the trained plate recogniser ships inside the binary
	"encoding/hex"
	"fmt"
)

// PlateNet is Plateward's own plate recogniser, trained here on synthetic
// plates only (`make train`; PLATENET.md is its model card) and embedded
// in the binary. Input "image": N×1×32×128 grey, scaled to −1..1 (x/127.5
// − 1), the detector's read area stretched to that size. Outputs "probs":
// N×32×36 per-step probabilities (class 0 the CTC blank, then
// PlateNetAlphabet) and "plate": N probabilities that the image shows a
// whole plate's row of characters.
//
//go:embed platenet.onnx
var plateNet []byte

// PlateNetSHA256 pins the embedded model: a different file is refused.
const PlateNetSHA256 = "1ee10ca3c210e9db70405204a53d6deac7955e944958dc5cec32d3149719f266"

// PlateNet's input size and alphabet (part of its contract with train/train.py).
const (
	PlateNetHeight   = 32
	PlateNetWidth    = 128
	PlateNetAlphabet = "0123456789ABCDEFGHIJKLMNPQRSTUVWXYZ"
)

// PlateNet returns the embedded plate recogniser's ONNX bytes after
// checking them against PlateNetSHA256.
func PlateNet() ([]byte, error) {
	s := sha256.Sum256(plateNet)
	if got := hex.EncodeToString(s[:]); got != PlateNetSHA256 {
		return nil, fmt.Errorf("embedded platenet.onnx has SHA-256 %s, pinned %s: %w", got, PlateNetSHA256, ErrChecksum)
	}
	return plateNet, nil
}
