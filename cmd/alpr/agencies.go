package main

import (
	"errors"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/plateward/alpr/analytics"
)

// newAgenciesCmd is the list of law-enforcement agencies records may go
// to for an investigative function without the Chief's authorisation.
func newAgenciesCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "agencies",
		Short: "The law-enforcement agencies records may go to without the Chief's authorisation (IT; the Users page is the usual way)",
	}
	var sf storeFlags
	var actor string
	add := &cobra.Command{
		Use:   "add --ori ORI --name NAME --actor IT-USER",
		Short: "List an agency (audited)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var a analytics.Agency
			a.ORI, _ = cmd.Flags().GetString("ori")
			a.Name, _ = cmd.Flags().GetString("name")
			if actor == "" {
				return errors.New("agencies add: --actor is required (the change is audited)")
			}
			st, err := sf.open(cmd.Context())
			if err != nil {
				return fmt.Errorf("agencies add: %w", err)
			}
			defer st.Close()
			if err := st.AddAgency(cmd.Context(), actor, a, time.Now()); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "listed %s\n", a.Name)
			return nil
		},
	}
	add.Flags().String("ori", "", "the agency's NCIC ORI (two letters, seven letters or digits)")
	add.Flags().String("name", "", "the agency's name, as exports name it")
	remove := &cobra.Command{
		Use:   "remove ORI --actor IT-USER",
		Short: "Take an agency off the list (audited)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if actor == "" {
				return errors.New("agencies remove: --actor is required (the change is audited)")
			}
			st, err := sf.open(cmd.Context())
			if err != nil {
				return fmt.Errorf("agencies remove: %w", err)
			}
			defer st.Close()
			return st.RemoveAgency(cmd.Context(), actor, args[0], time.Now())
		},
	}
	list := &cobra.Command{
		Use:   "list",
		Short: "The agencies listed",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := sf.open(cmd.Context())
			if err != nil {
				return fmt.Errorf("agencies list: %w", err)
			}
			defer st.Close()
			as, err := st.Agencies(cmd.Context())
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ORI\tAGENCY\tLISTED BY")
			for _, a := range as {
				fmt.Fprintf(tw, "%s\t%s\t%s %s\n", a.ORI, a.Name, a.AddedBy, a.AddedAt.In(st.Location()).Format("2006-01-02"))
			}
			return tw.Flush()
		},
	}
	for _, c := range []*cobra.Command{add, remove, list} {
		sf.add(c)
	}
	for _, c := range []*cobra.Command{add, remove} {
		c.Flags().StringVar(&actor, "actor", "", "the IT user making the change, for the audit log")
	}
	cmd.AddCommand(add, remove, list)
	return cmd
}
