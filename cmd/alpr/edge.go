package main

import (
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"filippo.io/age"
	"github.com/google/uuid"

	"github.com/spf13/cobra"

	"github.com/plateward/alpr/edge"
	"github.com/plateward/alpr/edge/alert"
	"github.com/plateward/alpr/edge/capture"
	"github.com/plateward/alpr/edge/drive"
	"github.com/plateward/alpr/edge/shift"
)

func newEdgeCmd() *cobra.Command {
	var metricsAddr string
	o := edge.DefaultOptions()
	var sources []string
	var start, alertAddr, rosterPath, keyPath, configPath, tz string
	var ncicLists, csvLists []string
	var encryptTo string
	var roster *shift.Roster
	var codes []alert.Code
	cmd := &cobra.Command{
		Use:   "edge --source CAMERA=PATH ... --drive DIR --officer ID",
		Short: "Run the in-car reader over cameras, video files or image folders",
		Long: `Run the in-car reader: capture → detect → OCR → track → hot-list match → drive.

A source is CAMERA=TARGET, where TARGET is an image folder, a video file, a
camera index or an rtsp:// URL. Folders and files are replayed: their frames
are stamped from --start, so a replay gives the same records every time.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if configPath != "" {
				// A configured car takes its cameras, lists, drive and page from
				// IT's signed file, and nothing from the command line.
				for _, f := range []string{"source", "hotlist", "hotlist-csv", "drive", "vehicle", "alert"} {
					if cmd.Flags().Changed(f) {
						return fmt.Errorf("--%s: this car's settings come from its signed configuration", f)
					}
				}
				pub, err := shift.ReadPublicKey(keyPath)
				if err != nil {
					return err
				}
				cfg, err := shift.LoadCarConfig(configPath, pub)
				if err != nil {
					return err
				}
				o.Vehicle, o.DriveDir, alertAddr, o.Hotlists = cfg.Vehicle, cfg.DriveDir, cfg.AlertAddr, cfg.Hotlists
				if cfg.DriveRecipient != "" {
					r, err := age.ParseX25519Recipient(cfg.DriveRecipient)
					if err != nil {
						return fmt.Errorf("car config: drive recipient: %w", err)
					}
					o.Drive.Recipients = []age.Recipient{r}
				}
				for _, c := range cfg.Cameras {
					sources = append(sources, c.Name+"="+c.Source)
				}
				for _, c := range cfg.Codes {
					codes = append(codes, alert.Code{Code: c.Code, Label: c.Label})
				}
			}
			for _, p := range ncicLists {
				o.Hotlists = append(o.Hotlists, shift.HotlistConfig{Path: p, Format: "ncic"})
			}
			for _, p := range csvLists {
				path, mapping, ok := strings.Cut(p, "=")
				if !ok {
					return fmt.Errorf("--hotlist-csv %q: want LIST.csv=MAPPING.json", p)
				}
				o.Hotlists = append(o.Hotlists, shift.HotlistConfig{Path: path, Format: "csv", Mapping: mapping})
			}
			for _, s := range sources {
				sp, err := capture.ParseSpec(s)
				if err != nil {
					return err
				}
				o.Sources = append(o.Sources, sp)
			}
			if start != "" {
				t, err := time.Parse(time.RFC3339, start)
				if err != nil {
					return fmt.Errorf("--start: %w", err)
				}
				o.Start = t
			} else {
				o.Start = time.Now()
			}
			o.Logger = slog.Default()
			if rosterPath != "" {
				// Order B.1 and C.1: a trained officer on IT's signed roster logs in.
				pub, err := shift.ReadPublicKey(keyPath)
				if err != nil {
					return err
				}
				if roster, err = shift.LoadRoster(rosterPath, pub); err != nil {
					return err
				}
				if _, err := roster.Login(o.Officer, os.Getenv("ALPR_PIN"), time.Now()); err != nil {
					return err
				}
			}
			if encryptTo != "" {
				rs, err := readRecipients(encryptTo)
				if err != nil {
					return err
				}
				o.Drive.Recipients = rs
			}
			o.ShiftID = uuid.Must(uuid.NewV7()).String()
			if alertAddr != "" {
				steps := make(chan drive.Record, 256)
				ao := alert.DefaultOptions(o.Officer, o.Vehicle, o.ShiftID)
				ao.Roster, ao.Logger, ao.TimeZone = roster, o.Logger, tz
				if len(codes) > 0 {
					ao.Codes = codes
				}
				srv, err := alert.New(ao, func(r drive.Record) error {
					select {
					case steps <- r:
						return nil
					case <-cmd.Context().Done():
						return cmd.Context().Err()
					}
				})
				if err != nil {
					return err
				}
				ln, err := alert.Listen(alertAddr)
				if err != nil {
					return err
				}
				go func() {
					// The reader keeps recording if the page fails; the officer's log says why alerts stopped.
					if err := srv.Serve(cmd.Context(), ln); err != nil {
						o.Logger.Error("alert page stopped", "err", err)
					}
				}()
				fmt.Fprintf(cmd.OutOrStdout(), "alert page: http://%s/ (the shift ends when the officer logs out there)\n", ln.Addr())
				o.Alerter, o.Steps, o.Shift = srv, steps, srv
			}
			if metricsAddr != "" {
				o.Metrics = edge.NewMetrics()
				stop, err := serveMetrics(cmd, metricsAddr, o.Metrics.Handler())
				if err != nil {
					return err
				}
				defer stop()
			}
			st, err := edge.Run(cmd.Context(), o)
			fmt.Fprintf(cmd.OutOrStdout(), "edge: shift %s: %d frames (%d skipped while busy), %d plate views, %d reads, %d hits (%d alerted), %d drive files\n",
				st.ShiftID, st.Frames, st.Dropped, st.Observations, st.Reads, st.Hits, st.Alerts, len(st.Files))
			if o.BackOffice.PushHits {
				fmt.Fprintf(cmd.OutOrStdout(), "edge: %d hits pushed to dispatch, %d not (they are on the drive)\n", st.HitsPushed, st.HitsUnpushed)
			}
			return err
		},
	}
	f := cmd.Flags()
	f.StringArrayVar(&sources, "source", nil, "camera source CAMERA=TARGET (repeat for more cameras)")
	f.StringVar(&o.DriveDir, "drive", "", "drive directory (the USB drive's mount point)")
	f.StringVar(&o.Vehicle, "vehicle", "car1", "vehicle (car) identifier")
	f.StringVar(&o.Officer, "officer", "", "officer ID of the logged-in officer")
	f.StringArrayVar(&ncicLists, "hotlist", nil, "NCIC hot-list extract (repeat for more)")
	f.StringArrayVar(&csvLists, "hotlist-csv", nil, "state or local CSV hot list with its mapping: LIST.csv=MAPPING.json (repeat for more)")
	f.StringVar(&configPath, "config", "", "the car's configuration, signed by IT (with --it-key)")
	f.StringVar(&o.Drive.BufferDir, "buffer", "", "the car's own disk, recorded to while the drive is full or missing")
	f.Int64Var(&o.Drive.BufferBytes, "buffer-bytes", o.Drive.BufferBytes, "the most the car's buffer holds; past it reads are dropped and counted, hits never")
	f.StringVar(&encryptTo, "encrypt-to-file", "", "encrypt the drive to the station's age recipient in this file (station.pub)")
	f.StringVar(&o.GPSTrack, "gps-track", "", "recorded GPS track for replays: CSV (time,lat,lon,...) or an NMEA log (.nmea)")
	f.StringVar(&o.GPSLive, "gps", "", "live GPS: gpsd:HOST:PORT, or an NMEA serial device (/dev/ttyUSB0)")
	f.DurationVar(&o.GPSMaxAge, "gps-max-age", o.GPSMaxAge, "a fix older than this is no fix")
	f.DurationVar(&o.HotlistMaxAge, "hotlist-max-age", o.HotlistMaxAge, "a hot list delivered longer ago is flagged to the officer")
	f.StringVar(&o.BackOffice.URL, "back-office", "", "the back office (https://…) reached when a network is present: newer hot lists are pulled from it")
	f.StringVar(&o.BackOffice.TokenFile, "car-token", "", "the car's token file for --back-office (alpr cars token CAR), mode 600")
	f.StringVar(&o.BackOffice.CAFile, "back-office-ca", "", "PEM roots for the back office's certificate (default: the system's)")
	f.DurationVar(&o.BackOffice.Every, "hotlist-every", o.BackOffice.Every, "time between hot-list pulls")
	f.BoolVar(&o.BackOffice.PushHits, "push-hits", false, "also send each alerting hit to the back office's dispatch board (the drive keeps it regardless)")
	f.StringVar(&start, "start", "", "replay: time of the first frame, RFC 3339 (default now)")
	f.DurationVar(&o.FolderInterval, "interval", o.FolderInterval, "replay: time between images of a folder")
	f.IntVar(&o.Workers, "workers", o.Workers, "recognisers the cameras share (0: one per core, at most one per camera)")
	f.Var(roiFlag{&o.ROI}, "roi", "the band of each frame where plates appear, as fractions of its height from the top: TOP,BOTTOM (e.g. 0.3,0.9; default the whole frame)")
	f.BoolVar(&o.Motion.Off, "no-motion-gate", false, "recognise every frame, even when nothing in it moved")
	f.BoolVar(&o.Realtime, "realtime", false, "replay at the files' frame rate and skip what the reader cannot keep up with, as live cameras do")
	f.StringVar(&o.OCR.ModelsDir, "models", o.OCR.ModelsDir, "prepared recognition models (make models)")
	f.StringVar(&o.OCR.Engine, "ocr", o.OCR.Engine, "character reader: dnn or tesseract")
	f.StringVar(&o.OCR.Runtime, "runtime", o.OCR.Runtime, "where the dnn reader's network runs: onnxruntime or opencv (slower, no extra library)")
	f.BoolVar(&o.SecondLook.Off, "no-second-look", false, "never run the text detector where the first look read nothing")
	f.DurationVar(&o.SecondLook.Every, "second-look-every", o.SecondLook.Every, "least time between a camera's second looks (video)")
	f.Float32Var(&o.PlateGate, "plate-gate", o.PlateGate, "regions whose plate probability (the plate net's) is under this are not read: legends, slogans, signs (0: read every region)")
	f.Float32Var(&o.LastGate, "last-gate", o.LastGate, "where no region passed --plate-gate, the likeliest held back is read from this plate probability (over --plate-gate: never)")
	f.StringVar(&alertAddr, "alert", "", "serve the alert page on this loopback address (e.g. 127.0.0.1:8088)")
	f.StringVar(&metricsAddr, "metrics-listen", "", "serve /metrics (Prometheus) and /healthz on this address, for IT's monitoring (e.g. 127.0.0.1:9465)")
	f.StringVar(&tz, "tz", "America/Chicago", "the department's time zone: the alert page shows every time in it")
	f.StringVar(&rosterPath, "roster", "", "IT's signed roster: the officer must be on it and trained (PIN in $ALPR_PIN)")
	f.StringVar(&keyPath, "it-key", "", "IT's public key that signs the roster and the car's configuration")
	cmd.MarkFlagRequired("officer")
	return cmd
}

// roiFlag is --roi: TOP,BOTTOM.
type roiFlag struct{ r *edge.ROI }

func (f roiFlag) String() string {
	if f.r == nil || f.r.Whole() {
		return ""
	}
	return fmt.Sprintf("%g,%g", f.r.Top, f.r.Bottom)
}

func (f roiFlag) Set(s string) error {
	r, err := edge.ParseROI(s)
	if err != nil {
		return err
	}
	*f.r = r
	return nil
}

func (roiFlag) Type() string { return "TOP,BOTTOM" }
