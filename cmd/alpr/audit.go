package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

func newAuditCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "audit", Short: "IT's view of the audit log (order E.2)"}
	var sf storeFlags
	verify := &cobra.Command{
		Use:   "verify",
		Short: "Walk the hash chain of the audit log from the first entry; name the first broken one",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := sf.open(cmd.Context())
			if err != nil {
				return err
			}
			defer st.Close()
			n, err := st.VerifyAudit(cmd.Context())
			if err != nil {
				return fmt.Errorf("audit log: %d entries verify, then: %w", n, err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "audit log: all %d entries verify\n", n)
			return nil
		},
	}
	sf.add(verify)
	cmd.AddCommand(verify)
	return cmd
}
