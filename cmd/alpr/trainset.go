package main

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/plateward/alpr/fixtures/synth"
	"github.com/plateward/alpr/internal/fsutil"
)

func newFixturesTrainsetCmd() *cobra.Command {
	o := synth.DefaultOptions()
	var count, workers, preview int
	var plateFonts, legendFonts []string
	cmd := &cobra.Command{
		Use:   "trainset FILE",
		Short: "Render synthetic plate samples for training the plate recogniser (format: fixtures/synth)",
		Long: `Render synthetic plate samples — plates and things that are not plates — into one
set file for train/train.py. The built-in Go fonts are always used; --plate-fonts
and --legend-fonts add folders of .ttf, .otf or .woff faces (npm @fontsource).
--preview N also writes the first N samples as PNG files beside FILE.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			fonts, err := synth.BuiltinFonts()
			if err != nil {
				return err
			}
			for _, d := range plateFonts {
				if _, err := fonts.LoadFonts(d, true); err != nil {
					return err
				}
			}
			for _, d := range legendFonts {
				if _, err := fonts.LoadFonts(d, false); err != nil {
					return err
				}
			}
			out := args[0]
			af, err := fsutil.Create(out)
			if err != nil {
				return err
			}
			if err := synth.WriteSet(cmd.Context(), af, o, fonts, count, workers); err != nil {
				return errors.Join(err, af.Abort())
			}
			if err := af.Commit(); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%d samples (%d×%d, seed %d) in %s, %d faces: %v\n", count, o.Height, o.Width, o.Seed, out, len(fonts.Names), fonts.Names)
			if preview > 0 {
				return writePreview(out, preview)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.IntVar(&count, "count", 1000, "samples to render")
	f.Uint64Var(&o.Seed, "seed", o.Seed, "random seed: the same seed and workers make the same file")
	f.IntVar(&workers, "workers", 2, "generators running at once (part of what the seed decides)")
	f.Float64Var(&o.Negatives, "negatives", o.Negatives, "share of samples that are not plates")
	f.StringArrayVar(&plateFonts, "plate-fonts", nil, "folder of faces for plate characters (repeatable)")
	f.StringArrayVar(&legendFonts, "legend-fonts", nil, "folder of faces for legends, frames and signs (repeatable)")
	f.IntVar(&preview, "preview", 0, "also write the first N samples as PNG beside FILE")
	return cmd
}

// writePreview writes the first n samples of the set file as PNGs named by
// their text, for a person to look at.
func writePreview(path string, n int) error {
	dir := path + ".preview"
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return err
	}
	f, err := os.Open(path) //nolint:gosec // the file just written
	if err != nil {
		return err
	}
	defer f.Close()
	i := 0
	errDone := errors.New("done")
	_, err = synth.ReadSet(f, func(s synth.Sample) error {
		if i >= n {
			return errDone
		}
		img := image.NewGray(image.Rect(0, 0, len(s.Pixels)/32, 32))
		copy(img.Pix, s.Pixels)
		name := s.Text
		if !s.Plate {
			name = "not-a-plate"
		}
		i++
		var buf bytes.Buffer
		if err := png.Encode(&buf, img); err != nil {
			return err
		}
		return fsutil.WriteFile(filepath.Join(dir, fmt.Sprintf("%04d-%s.png", i, name)), buf.Bytes())
	})
	if errors.Is(err, errDone) {
		return nil
	}
	return err
}
