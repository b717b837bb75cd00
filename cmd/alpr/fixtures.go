package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/plateward/alpr/fixtures"
)

func newFixturesCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "fixtures", Short: "Generate synthetic data for tests and demos"}
	o := fixtures.DefaultOptions()
	var start string
	shift := &cobra.Command{
		Use:   "shift DIR",
		Short: "Generate a synthetic patrol shift: scenes, a video, ground truth, a GPS track and an NCIC hot list",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if start != "" {
				t, err := time.Parse(time.RFC3339, start)
				if err != nil {
					return fmt.Errorf("--start: %w", err)
				}
				o.Start = t
			}
			s, err := fixtures.GenerateShift(args[0], o)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "shift in %s: %d scenes, %d video cars (%d plate views), %s to %s, %d plates of the shift on the hot list\n",
				s.Dir, o.Scenes, o.VideoCars, len(s.Truth), o.Start.Format(time.RFC3339), s.End.Format(time.RFC3339), len(s.HotPlates))
			return nil
		},
	}
	f := shift.Flags()
	f.Uint64Var(&o.Seed, "seed", o.Seed, "random seed: the same seed makes the same shift")
	f.IntVar(&o.Scenes, "scenes", o.Scenes, "still scenes in the image folder")
	f.IntVar(&o.VideoCars, "video-cars", o.VideoCars, "cars passing through the video")
	f.IntVar(&o.HotEntries, "hot-entries", o.HotEntries, "unrelated entries on the hot list")
	f.StringVar(&start, "start", "", "time of the first scene, RFC 3339 (default "+o.Start.Format(time.RFC3339)+")")
	cmd.AddCommand(shift, newFixturesReadsCmd(), newFixturesTrainsetCmd())
	return cmd
}
