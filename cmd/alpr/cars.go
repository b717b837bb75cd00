package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/plateward/alpr/backoffice"
)

func newCarsCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "cars",
		Short: "Car tokens for the back office's car API (hot lists pulled during a shift)",
	}
	var dir string
	token := &cobra.Command{
		Use:   "token CAR",
		Short: "Issue a car's token (replacing its old one); it is printed once, for the car's token file",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ct, err := backoffice.OpenCarTokens(dir)
			if err != nil {
				return err
			}
			tok, err := ct.Issue(args[0], time.Now())
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s\n", tok)
			fmt.Fprintf(cmd.ErrOrStderr(), "token for %s issued (only its SHA-256 is kept in %s/%s): put it in the car's token file, mode 600\n",
				args[0], dir, backoffice.CarTokensFile)
			return nil
		},
	}
	revoke := &cobra.Command{
		Use:   "revoke CAR",
		Short: "Revoke a car's token (a lost or retired car)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ct, err := backoffice.OpenCarTokens(dir)
			if err != nil {
				return err
			}
			return ct.Revoke(args[0])
		},
	}
	for _, c := range []*cobra.Command{token, revoke} {
		c.Flags().StringVar(&dir, "store", "var/store", "back-office store directory")
	}
	cmd.AddCommand(token, revoke)
	return cmd
}
