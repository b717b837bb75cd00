// Package strictjson reads the small JSON files people write by hand
// (mappings): an unknown key is an error, not silently ignored, so a typo
// in a column name is caught when the file is loaded.
package strictjson

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
)

// ReadFile decodes the JSON file at path into v, refusing unknown keys.
func ReadFile(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	if err := Decode(b, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// Decode decodes b into v, refusing unknown keys and trailing data.
func Decode(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return fmt.Errorf("trailing data after the JSON object")
	}
	return nil
}
