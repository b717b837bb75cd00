package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/plateward/alpr/analytics"
	"github.com/plateward/alpr/backoffice"
)

func newUsersCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "users",
		Short: "Back-office accounts from the server's console (IT; the web app's Users page is the usual way)",
	}
	var sf storeFlags
	var actor, reason string
	reset := &cobra.Command{
		Use:   "reset NAME",
		Short: "Issue a new one-time password for an account and clear its lockout, printed once",
		Long: `Issue a new one-time password for an account, clear its lockout and print
the password once; it must be changed at the next login. This is the way
back in when no IT administrator can log in — the first start's password
was lost (the server was stopped before it was read, or its output went
nowhere) or every administrator is locked out. It needs the store's files,
so it runs on the back-office server, with alpr serve stopped (the store is
locked while it runs), and it is audited under --actor with --reason.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			name := args[0]
			if actor == "" || reason == "" {
				return errors.New("users reset: --actor and --reason are required (the reset is audited)")
			}
			st, err := sf.open(cmd.Context())
			if err != nil {
				return fmt.Errorf("users reset: %w (is alpr serve running on this store? stop it first)", err)
			}
			defer st.Close()
			users, err := backoffice.OpenUsers(st.Dir())
			if err != nil {
				return err
			}
			if _, err := users.Get(name); err != nil {
				return fmt.Errorf("users reset: %w", err)
			}
			// The audit entry comes first: a reset that is not in the log
			// must not happen.
			a := analytics.Access{User: actor, Reason: reason}
			if err := st.Audit(cmd.Context(), time.Now(), a, "user.reset", name+" (from the server's console)"); err != nil {
				return fmt.Errorf("users reset: audit: %w", err)
			}
			pw, err := users.Reset(name)
			if err != nil {
				return fmt.Errorf("users reset: %w", err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "reset %q: one-time password %s\n(shown once; it must be changed at the next login)\n", name, pw)
			return nil
		},
	}
	sf.add(reset)
	reset.Flags().StringVar(&actor, "actor", "cli:"+currentUser(), "who resets it, for the audit log")
	reset.Flags().StringVar(&reason, "reason", "", "why (recorded in the audit log)")
	cmd.AddCommand(reset)
	return cmd
}
