package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/spf13/cobra"

	"github.com/plateward/alpr/backoffice"
)

func newServeCmd() *cobra.Command {
	var sf storeFlags
	var listen, cert, key, metricsListen string
	var jobs serveJobs
	o := backoffice.DefaultOptions()
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the back office (BOSS) web app: searches, SQL console, audit log, user accounts",
		Long: `Run the back office web app on the store. The first start creates the IT
administrator "admin" and prints a one-time password once; it must be
changed at first login. Serve TLS with --tls-cert and --tls-key whenever
the app is reached from anything but this machine.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if (cert == "") != (key == "") {
				return errors.New("serve: give both --tls-cert and --tls-key, or neither")
			}
			st, err := sf.open(cmd.Context())
			if err != nil {
				return err
			}
			defer st.Close()
			users, err := backoffice.OpenUsers(st.Dir())
			if err != nil {
				return err
			}
			pw, created, err := backoffice.Bootstrap(users, time.Now())
			if err != nil {
				return fmt.Errorf("serve: create the first administrator: %w", err)
			}
			if created {
				fmt.Fprintf(cmd.OutOrStdout(), "first start: created IT administrator \"admin\" with one-time password %s\n"+
					"(shown once; it must be changed at first login; lost, it is replaced with alpr users reset admin)\n", pw)
			}
			// The policy in force is adopted (a new version is audited) by
			// the server that runs the jobs.
			if o.Policy, err = jobs.pol.load(cmd, st, "serve", !jobs.off); err != nil {
				return err
			}
			o.Department = jobs.department
			if o.Hotlists, err = jobs.loadHotlists(); err != nil {
				return err
			}
			stopJobs, err := jobs.start(cmd, st, o.Policy, o.Hotlists)
			if err != nil {
				return err
			}
			defer stopJobs()
			o.SecureOnly = cert != ""
			o.Log = slog.Default()
			if metricsListen != "" {
				o.Metrics = backoffice.NewMetrics(st)
				stop, err := serveMetrics(cmd, metricsListen, backoffice.MetricsHandler(o.Metrics, st))
				if err != nil {
					return err
				}
				defer stop()
			}
			app, err := backoffice.New(st, users, o)
			if err != nil {
				return err
			}
			ln, err := net.Listen("tcp", listen)
			if err != nil {
				return fmt.Errorf("serve: %w", err)
			}
			scheme := "http"
			if cert != "" {
				scheme = "https"
			}
			fmt.Fprintf(cmd.OutOrStdout(), "back office on %s://%s/ (store %s); Ctrl-C stops it\n", scheme, ln.Addr(), sf.dir)
			// Headers within 10 s and 64 KiB; bodies within their route's
			// time and size (backoffice.App); idle connections closed after 2 min.
			srv := &http.Server{Handler: app, ReadHeaderTimeout: 10 * time.Second, MaxHeaderBytes: 64 << 10, IdleTimeout: 2 * time.Minute}
			done := make(chan error, 1)
			go func() {
				if cert != "" {
					done <- srv.ServeTLS(ln, cert, key)
				} else {
					done <- srv.Serve(ln)
				}
			}()
			select {
			case err := <-done:
				return fmt.Errorf("serve: %w", err)
			case <-cmd.Context().Done():
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				return srv.Shutdown(ctx)
			}
		},
	}
	sf.add(cmd)
	cmd.Flags().StringVar(&listen, "listen", "127.0.0.1:8080", "address to listen on")
	cmd.Flags().StringVar(&metricsListen, "metrics-listen", "", "serve /metrics (Prometheus), /healthz and /readyz on this address: one only IT's monitoring reaches (e.g. 127.0.0.1:9464)")
	cmd.Flags().StringVar(&cert, "tls-cert", "", "TLS certificate file (PEM)")
	cmd.Flags().StringVar(&key, "tls-key", "", "TLS private key file (PEM)")
	cmd.Flags().DurationVar(&o.SessionIdle, "session-idle", o.SessionIdle, "log out after this long without a request")
	cmd.Flags().IntVar(&o.MaxFailures, "max-failures", o.MaxFailures, "failed logins in a row from one address that lock the account from that address")
	cmd.Flags().IntVar(&o.AccountFailures, "max-account-failures", o.AccountFailures, "failed logins in a row from anywhere that lock the account, except from the addresses it last logged in from")
	cmd.Flags().IntVar(&o.LoginsPerMinute, "logins-per-minute", o.LoginsPerMinute, "login attempts one client address may make a minute")
	cmd.Flags().DurationVar(&o.LockoutFor, "lockout", o.LockoutFor, "how long a locked account stays locked")
	cmd.Flags().StringVar(&o.Map.URL, "map-tiles", "", "the department's map tile server for the search page's map, {z}/{x}/{y} in it (e.g. https://gis.example.gov/tiles/{z}/{x}/{y}.png); none: positions on a plain ground")
	cmd.Flags().StringVar(&o.Map.Attribution, "map-attribution", "", "the credit the tile server's licence asks to show on the map")
	cmd.Flags().IntVar(&o.Map.MaxZoom, "map-max-zoom", o.Map.MaxZoom, "the tile server's deepest zoom level")
	jobs.add(cmd)
	return cmd
}

// serveMetrics serves monitoring on its own listener, apart from the app:
// no session, so it must be an address only IT's monitoring reaches.
func serveMetrics(cmd *cobra.Command, addr string, h http.Handler) (stop func(), err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second, MaxHeaderBytes: 8 << 10, IdleTimeout: time.Minute}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			slog.Error("metrics listener stopped", "err", err)
		}
	}()
	fmt.Fprintf(cmd.OutOrStdout(), "metrics on http://%s/metrics (and /healthz, /readyz)\n", ln.Addr())
	return func() { srv.Close() }, nil
}
