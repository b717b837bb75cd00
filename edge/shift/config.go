package shift

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"os"
)

// CarConfig is a car's configuration, signed by IT (order B.4: operators
// may not modify equipment or software). The officer's page has no
// settings; everything a car does comes from here.
type CarConfig struct {
	Vehicle   string          `json:"vehicle"`
	Cameras   []CameraConfig  `json:"cameras"`
	Hotlists  []HotlistConfig `json:"hotlists"`
	Codes     []CodeConfig    `json:"disposition_codes,omitempty"`
	AlertAddr string          `json:"alert_addr"` // loopback address of the alert page
	DriveDir  string          `json:"drive_dir"`  // the USB drive's mount point
	// DriveRecipient is the station's age recipient ("age1..."): the drive
	// is encrypted to it and the car can read none of it back.
	DriveRecipient string `json:"drive_recipient,omitempty"`
}

// CameraConfig is one camera: a name and a capture source (device index,
// rtsp:// URL, video file or image folder).
type CameraConfig struct {
	Name   string `json:"name"`
	Source string `json:"source"`
}

// HotlistConfig is one hot list the car loads.
type HotlistConfig struct {
	Path    string `json:"path"`
	Format  string `json:"format"`            // "ncic" or "csv"
	Mapping string `json:"mapping,omitempty"` // for csv: the mapping file
}

// CodeConfig is a disposition code offered to the officer.
type CodeConfig struct {
	Code  string `json:"code"`
	Label string `json:"label"`
}

// Validate reports the first problem of a configuration.
func (c CarConfig) Validate() error {
	switch {
	case c.Vehicle == "":
		return errors.New("car config: no vehicle")
	case len(c.Cameras) == 0:
		return errors.New("car config: no camera")
	case c.DriveDir == "":
		return errors.New("car config: no drive directory")
	}
	for i, h := range c.Hotlists {
		if h.Format != "ncic" && h.Format != "csv" {
			return fmt.Errorf("car config: hot list %d: format %q is neither ncic nor csv", i+1, h.Format)
		}
		if h.Format == "csv" && h.Mapping == "" {
			return fmt.Errorf("car config: hot list %d: a csv list needs a mapping", i+1)
		}
	}
	for i, cam := range c.Cameras {
		if cam.Name == "" || cam.Source == "" {
			return fmt.Errorf("car config: camera %d needs a name and a source", i+1)
		}
	}
	return nil
}

// LoadCarConfig reads a car configuration and refuses it unless IT's key
// signed exactly these bytes.
func LoadCarConfig(path string, pub ed25519.PublicKey) (*CarConfig, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read car config: %w", err)
	}
	var c CarConfig
	if err := Verify(b, pub, &c); err != nil {
		return nil, fmt.Errorf("car config %s: %w (only IT changes a car's configuration)", path, err)
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return &c, nil
}
