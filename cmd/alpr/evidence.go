package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/plateward/alpr/retention"
)

func newEvidenceCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "evidence", Short: "Evidence packages with SHA-256 manifests and chain of custody (order E.1, E.4)"}
	var sf storeFlags
	e := retention.Export{User: currentUser()}
	var out string
	export := &cobra.Command{
		Use:   "export --case N --recipient AGENCY --purpose TEXT --authorisation TEXT --out DIR",
		Short: "Package the records a case's holds keep, with images, audit entries and a manifest",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := sf.open(cmd.Context())
			if err != nil {
				return err
			}
			defer st.Close()
			dir, err := retention.ExportCase(cmd.Context(), st, e, out, time.Now())
			if err != nil {
				return err
			}
			m, err := retention.VerifyPackage(dir)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "evidence package %s: %d reads, %d hits, %d files, for %s (recorded in the audit log)\n",
				dir, m.Reads, m.Hits, len(m.Files), e.Recipient)
			return nil
		},
	}
	sf.add(export)
	f := export.Flags()
	f.StringVar(&e.Case, "case", "", "the case number whose holds name the records")
	f.StringVar(&e.Recipient, "recipient", "", "the receiving agency or court")
	f.StringVar(&e.Purpose, "purpose", "", "why the records leave the department")
	f.StringVar(&e.Authorisation, "authorisation", "", `"investigation" (outside law enforcement) or the Chief's authorisation reference`)
	f.StringVar(&e.User, "user", e.User, "who exports (recorded)")
	f.StringVar(&out, "out", ".", "folder to write the package in")
	verify := &cobra.Command{
		Use:   "verify DIR",
		Short: "Check every file of a package against its manifest",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			m, err := retention.VerifyPackage(args[0])
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "evidence package verifies: case %s, %d files, exported %s by %s to %s\n",
				m.Case, len(m.Files), m.ExportedAt.Format(time.RFC3339), m.ExportedBy, m.Recipient)
			return nil
		},
	}
	cmd.AddCommand(export, verify)
	return cmd
}
