package main

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
	"log/slog"
	"strings"

	"github.com/spf13/cobra"

	"github.com/plateward/alpr/edge/drive"
	"github.com/plateward/alpr/ingest"
)

func newIngestCmd() *cobra.Command {
	var sf storeFlags
	var identity string
	var asJSON bool
	o := ingest.DefaultOptions()
	cmd := &cobra.Command{
		Use:   "ingest DRIVE_DIR",
		Short: "Load a drive's files into the back-office store, exactly once",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := sf.open(cmd.Context())
			if err != nil {
				return err
			}
			defer st.Close()
			o.Logger = slog.Default()
			if identity != "" {
				ids, err := readIdentities(identity)
				if err != nil {
					return err
				}
				o.Identities = ids
			}
			out := cmd.OutOrStdout()
			if f, ok := out.(*os.File); ok && !asJSON && term.IsTerminal(int(f.Fd())) {
				var bar *progressbar.ProgressBar
				o.Progress = func(p ingest.Progress) {
					if bar == nil {
						bar = progressbar.NewOptions64(p.BytesTotal, progressbar.OptionSetWriter(os.Stderr),
							progressbar.OptionShowBytes(true), progressbar.OptionSetDescription("ingest"),
							progressbar.OptionClearOnFinish())
					}
					bar.Describe(fmt.Sprintf("ingest %d/%d files, %.0f reads/s", p.Files, p.FilesTotal, float64(p.Rows)/p.Elapsed.Seconds()))
					_ = bar.Set64(p.Bytes) // a progress bar that cannot draw is no error
				}
			}
			rep, err := ingest.Drive(cmd.Context(), st, args[0], o)
			if asJSON {
				if jerr := json.NewEncoder(out).Encode(rep); jerr != nil {
					return jerr
				}
				return err
			}
			var rows []string
			for _, k := range drive.Kinds() {
				rows = append(rows, fmt.Sprintf("%s=%d", k, rep.Rows[k]))
			}
			fmt.Fprintf(out, "ingest: %d files: %d loaded, %d already loaded, %d quarantined; rows %s; %d images; %s\n",
				rep.Files, rep.Loaded, rep.AlreadyLoaded, len(rep.Quarantined), strings.Join(rows, " "), rep.Images, rep.Elapsed.Round(1e6))
			for _, q := range rep.Quarantined {
				fmt.Fprintf(out, "  QUARANTINED %s\n", q)
			}
			for _, t := range rep.Tails {
				fmt.Fprintf(out, "  unsealed   %s\n", t)
			}
			return err
		},
	}
	sf.add(cmd)
	cmd.Flags().StringVar(&identity, "identity", "", "the station's age identity file, for encrypted drives")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the report as one JSON object (no progress bar)")
	cmd.Flags().StringVar(&o.QuarantineDir, "quarantine", "", "where refused files are copied (default STORE/quarantine)")
	cmd.Flags().BoolVar(&o.Remove, "remove", false, "remove each file from the drive once its rows are committed")
	cmd.AddCommand(newImportCmd())
	return cmd
}

func newImportCmd() *cobra.Command {
	var sf storeFlags
	var mapping string
	var skipBad bool
	o := ingest.DefaultOptions()
	cmd := &cobra.Command{
		Use:   "import FILE.csv --mapping MAPPING.json",
		Short: "Load another agency's export of reads (CSV) through the same path as a drive",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			m, err := ingest.LoadReadMapping(mapping)
			if err != nil {
				return err
			}
			st, err := sf.open(cmd.Context())
			if err != nil {
				return err
			}
			defer st.Close()
			o.Logger = slog.Default()
			rep, err := ingest.ImportCSV(cmd.Context(), st, args[0], m, skipBad, o)
			out := cmd.OutOrStdout()
			for _, s := range rep.Skipped {
				fmt.Fprintf(out, "  skipped %s\n", s)
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "import: %d reads from %s (%s): %d loaded, %d already loaded\n",
				rep.Rows, args[0], m.Agency, rep.Rows*rep.Loaded, rep.AlreadyLoaded)
			return nil
		},
	}
	sf.add(cmd)
	cmd.Flags().StringVar(&mapping, "mapping", "", "the export's column mapping (JSON)")
	cmd.Flags().BoolVar(&skipBad, "skip-bad", false, "import the good lines of a file with bad ones (each bad line is listed)")
	cmd.MarkFlagRequired("mapping")
	return cmd
}
