package main

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"filippo.io/age"
	"github.com/spf13/cobra"

	"github.com/plateward/alpr/edge/shift"
	"github.com/plateward/alpr/internal/fsutil"
	"github.com/plateward/alpr/internal/strictjson"
)

func newKeysCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "keys", Short: "Make the department's keys (IT, once)"}
	cmd.AddCommand(&cobra.Command{
		Use:   "generate DIR",
		Short: "Make the station's drive key (age) and IT's signing key (ed25519)",
		Long: `Writes into DIR:
  station.key  the station's age identity: decrypts drives at ingest. Keep it in the back office.
  station.pub  its recipient: cars encrypt their drives to it (--encrypt-to-file).
  it.key       IT's ed25519 signing key for rosters and car configurations. Keep it offline.
  it.pub       its public key, installed with every car (--it-key).`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := args[0]
			if err := os.MkdirAll(dir, 0o700); err != nil {
				return err
			}
			for _, f := range []string{"station.key", "it.key"} {
				if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
					return fmt.Errorf("%s exists: keys are never overwritten", filepath.Join(dir, f))
				}
			}
			id, err := age.GenerateX25519Identity()
			if err != nil {
				return err
			}
			pub, priv, err := ed25519.GenerateKey(nil)
			if err != nil {
				return err
			}
			files := []struct {
				name, data string
				mode       os.FileMode
			}{
				{"station.key", id.String() + "\n", 0o600},
				{"station.pub", id.Recipient().String() + "\n", 0o644},
				{"it.key", base64.StdEncoding.EncodeToString(priv) + "\n", 0o600},
				{"it.pub", base64.StdEncoding.EncodeToString(pub) + "\n", 0o644},
			}
			for _, f := range files {
				p := filepath.Join(dir, f.name)
				if err := fsutil.WriteFile(p, []byte(f.data)); err != nil {
					return err
				}
				if err := os.Chmod(p, f.mode); err != nil {
					return err
				}
			}
			fmt.Fprintf(cmd.OutOrStdout(), "keys: %s (station recipient %s)\n", dir, id.Recipient())
			return nil
		},
	})
	var key, out string
	sign := &cobra.Command{
		Use:   "sign FILE --key it.key --out SIGNED",
		Short: "Sign a roster or a car configuration with IT's key (on the offline workstation)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			b, err := os.ReadFile(args[0])
			if err != nil {
				return err
			}
			var doc json.RawMessage
			if err := json.Unmarshal(b, &doc); err != nil {
				return fmt.Errorf("%s: not JSON: %w", args[0], err)
			}
			// Only what the cars read is signed: a roster or a car
			// configuration, exactly (an unknown field is refused).
			var ro shift.Roster
			var cc shift.CarConfig
			if strictjson.Decode(b, &ro) != nil && strictjson.Decode(b, &cc) != nil {
				return fmt.Errorf("%s is neither a roster nor a car configuration", args[0])
			}
			kb, err := os.ReadFile(key)
			if err != nil {
				return fmt.Errorf("IT key: %w", err)
			}
			raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(kb)))
			if err != nil || len(raw) != ed25519.PrivateKeySize {
				return fmt.Errorf("IT key %s: not an ed25519 private key (alpr keys generate)", key)
			}
			signed, err := shift.Sign(doc, ed25519.PrivateKey(raw))
			if err != nil {
				return err
			}
			if err := fsutil.WriteFile(out, signed); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "signed %s into %s\n", args[0], out)
			return nil
		},
	}
	sign.Flags().StringVar(&key, "key", "", "IT's signing key (it.key)")
	sign.Flags().StringVar(&out, "out", "", "the signed file to write")
	sign.MarkFlagRequired("key")
	sign.MarkFlagRequired("out")
	cmd.AddCommand(sign, newKeysBackupCmd())
	return cmd
}

// readIdentities reads an age identity file.
func readIdentities(path string) ([]age.Identity, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("station identity: %w", err)
	}
	defer f.Close()
	ids, err := age.ParseIdentities(f)
	if err != nil {
		return nil, fmt.Errorf("station identity %s: %w", path, err)
	}
	return ids, nil
}

// readRecipients reads an age recipients file.
func readRecipients(path string) ([]age.Recipient, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("drive recipient: %w", err)
	}
	defer f.Close()
	rs, err := age.ParseRecipients(f)
	if err != nil {
		return nil, fmt.Errorf("drive recipient %s: %w", path, err)
	}
	return rs, nil
}
