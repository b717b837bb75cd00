// Package train holds the training of Plateward's plate recogniser: train.py
// (PyTorch, CPU, Debian 12's python3-torch) trains it on the synthetic set
// files that `alpr fixtures trainset` renders (package fixtures/synth), and
// exports the ONNX model that edge/models embeds (card: edge/models/PLATENET.md).
// `make train` runs the whole of it. This package's test is the smoke test:
// a few training steps on a handful of samples, and the export loaded and run
// in ONNX Runtime from Go.
package train
