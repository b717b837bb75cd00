package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"filippo.io/age"
	"github.com/spf13/cobra"

	"github.com/plateward/alpr/analytics"
	"github.com/plateward/alpr/internal/fsutil"
	"github.com/plateward/alpr/retention"
)

// backupFlags name the station's backup folder and the offline key its
// backups and destruction ledger are encrypted to.
type backupFlags struct {
	dir        string
	recipients string
	keep       time.Duration
}

func (b *backupFlags) add(cmd *cobra.Command) {
	cmd.Flags().StringVar(&b.dir, "backup-dir", "", "the station's backup folder (another disk or a share): backups, and the ledger of what purges destroyed")
	cmd.Flags().StringVar(&b.recipients, "backup-to", "", "the offline backup key's public file (backup.pub, from alpr keys backup)")
	cmd.Flags().DurationVar(&b.keep, "backup-keep", retention.DefaultKeep, "how long a backup is kept (at most the reads' retention)")
}

// set reports whether a backup folder was given; both flags go together.
func (b *backupFlags) set() (bool, error) {
	switch {
	case b.dir == "" && b.recipients == "":
		return false, nil
	case b.dir == "" || b.recipients == "":
		return false, errors.New("--backup-dir and --backup-to go together")
	}
	return true, nil
}

func (b *backupFlags) options() (retention.BackupOptions, error) {
	rs, err := readRecipients(b.recipients)
	if err != nil {
		return retention.BackupOptions{}, fmt.Errorf("backup key: %w", err)
	}
	return retention.BackupOptions{Dir: b.dir, Recipients: rs, Keep: b.keep}, nil
}

// ledger is the destruction ledger in the backup folder (nil without one).
func (b *backupFlags) ledger() (retention.Ledger, error) {
	ok, err := b.set()
	if err != nil || !ok {
		return nil, err
	}
	o, err := b.options()
	if err != nil {
		return nil, err
	}
	return retention.FileLedger{Dir: filepath.Join(o.Dir, retention.LedgerDir), Recipients: o.Recipients}, nil
}

func newBackupCmd() *cobra.Command {
	var sf storeFlags
	var bf backupFlags
	var pol policyFlag
	cmd := &cobra.Command{
		Use:   "backup --backup-dir DIR --backup-to backup.pub",
		Short: "Back up a stopped station's store (a running one backs itself up nightly: alpr serve --backup-dir)",
		Long: `Takes a consistent copy of the store (database, images, evidence copies, hot-list files,
accounts, policy; never the station's key), encrypted to the offline backup key, with a
manifest of SHA-256s, into the backup folder; then destroys the backups older than
--backup-keep and logs them in the destruction log.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if ok, err := bf.set(); err != nil || !ok {
				return errors.Join(err, errors.New("give the backup folder and the backup key: --backup-dir DIR --backup-to backup.pub"))
			}
			o, err := bf.options()
			if err != nil {
				return err
			}
			st, err := sf.open(cmd.Context())
			if err != nil {
				return err
			}
			defer st.Close()
			p, err := pol.load(cmd, st, "cli:"+currentUser(), false)
			if err != nil {
				return err
			}
			now := time.Now()
			info, err := retention.Backup(cmd.Context(), st, o, p, now)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "backup %s: %d files, %d bytes, SHA-256 %s\n", filepath.Join(o.Dir, info.Name), info.Files, info.Bytes, info.SHA256)
			pr, err := retention.PruneBackups(cmd.Context(), st, o, "cli:"+currentUser(), now)
			for _, b := range pr.Backups {
				fmt.Fprintf(cmd.OutOrStdout(), "destroyed backup %s (older than %s)\n", b, o.Keep)
			}
			return err
		},
	}
	sf.add(cmd)
	bf.add(cmd)
	pol.add(cmd)
	return cmd
}

func newRestoreCmd() *cobra.Command {
	var identity, ledger, actor string
	var sf storeFlags
	cmd := &cobra.Command{
		Use:   "restore BACKUP --identity backup.key --store NEWDIR",
		Short: "Restore a backup into a new store folder, destroying again what purges destroyed since",
		Long: `Checks the backup (its .sha256, its encryption, every file against its manifest) and
refuses a damaged one; restores it into NEWDIR (which must not exist or be empty); then,
before the store can be opened, destroys again every record the destruction ledger
(BACKUP's folder/ledger, or --ledger) says a purge destroyed after the backup was taken,
and verifies the audit chain. Nothing appears in NEWDIR unless all of that succeeded.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ids, err := readIdentities(identity)
			if err != nil {
				return fmt.Errorf("backup key: %w", err)
			}
			o := analytics.DefaultOptions(sf.dir)
			o.TimeZone, o.MemoryLimitMB = sf.timeZone, sf.memoryMB
			rep, err := retention.Restore(cmd.Context(), retention.RestoreOptions{Backup: args[0], Identities: ids, LedgerDir: ledger,
				Store: o, Actor: actor}, time.Now())
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "restored %s (taken %s) into %s: %d files\n", filepath.Base(args[0]),
				rep.TakenAt.In(mustZone(o.TimeZone)).Format("2006-01-02 15:04 MST"), sf.dir, rep.Files)
			fmt.Fprintf(out, "destroyed again %d destructions logged after the backup", rep.Reapplied)
			for _, s := range retention.AllSeries() {
				if n := rep.Destroyed[s]; n > 0 {
					fmt.Fprintf(out, "; %s %d", s, n)
				}
			}
			fmt.Fprintf(out, "\naudit chain verified: %d entries\n", rep.AuditEntries)
			return nil
		},
	}
	sf.add(cmd)
	cmd.Flags().StringVar(&identity, "identity", "", "the offline backup key (backup.key)")
	cmd.Flags().StringVar(&ledger, "ledger", "", "the destruction ledger folder (default: BACKUP's folder/ledger)")
	cmd.Flags().StringVar(&actor, "actor", "cli:"+currentUser(), "who restores, for the audit log")
	cmd.MarkFlagRequired("identity")
	cmd.MarkFlagRequired("store")
	return cmd
}

// newKeysBackupCmd makes the offline backup key.
func newKeysBackupCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "backup DIR",
		Short: "Make the offline backup key: backup.key (keep it off the station, in the safe) and backup.pub (for the station)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := args[0]
			if err := os.MkdirAll(dir, 0o700); err != nil {
				return err
			}
			if _, err := os.Stat(filepath.Join(dir, "backup.key")); err == nil {
				return fmt.Errorf("%s exists: keys are never overwritten", filepath.Join(dir, "backup.key"))
			}
			id, err := age.GenerateX25519Identity()
			if err != nil {
				return err
			}
			if err := fsutil.WriteFile(filepath.Join(dir, "backup.key"), []byte(id.String()+"\n")); err != nil {
				return err
			}
			if err := os.Chmod(filepath.Join(dir, "backup.key"), 0o600); err != nil {
				return err
			}
			if err := fsutil.WriteFile(filepath.Join(dir, "backup.pub"), []byte(id.Recipient().String()+"\n")); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "wrote %s (offline: move it off this machine) and %s (for the station's --backup-to)\n",
				filepath.Join(dir, "backup.key"), filepath.Join(dir, "backup.pub"))
			return nil
		},
	}
}

func mustZone(name string) *time.Location {
	if l, err := time.LoadLocation(name); err == nil {
		return l
	}
	return time.UTC
}
