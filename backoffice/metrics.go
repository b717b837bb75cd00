package backoffice

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/plateward/alpr/analytics"
)

// Metrics is the station's monitoring: its own registry (no global one),
// request counts and latencies per route measured as they are served, and
// the store's counts read at scrape time (analytics.Stats), so that they
// survive restarts. Serve it on a listener only IT reaches (MetricsHandler).
type Metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
}

// NewMetrics registers the station's metrics over st.
func NewMetrics(st *analytics.Store) *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "alpr_http_requests_total",
			Help: "Back-office requests answered, by route (the pattern that served it; \"none\" for refused addresses) and status class."},
			[]string{"route", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "alpr_http_request_duration_seconds",
			Help:    "Back-office request latency by route.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}}, []string{"route"}),
	}
	m.reg.MustRegister(m.requests, m.latency, newStoreCollector(st),
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// observe wraps the app: every answer counted by route and status class.
func (m *Metrics) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t0 := time.Now()
		sw := &statusWriter{ResponseWriter: w, code: http.StatusOK}
		next.ServeHTTP(sw, r)
		route := r.Pattern
		if route == "" {
			route = "none"
		}
		m.requests.WithLabelValues(route, strconv.Itoa(sw.code/100)+"xx").Inc()
		m.latency.WithLabelValues(route).Observe(time.Since(t0).Seconds())
	})
}

// statusWriter remembers the status an answer was given.
type statusWriter struct {
	http.ResponseWriter
	code int
}

func (s *statusWriter) WriteHeader(code int) {
	s.code = code
	s.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the connection.
func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// MetricsHandler serves /metrics (Prometheus), /healthz (the process
// answers) and /readyz (the store answers within a second).
func MetricsHandler(m *Metrics, st *analytics.Store) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Timeout: 10 * time.Second}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), time.Second)
		defer cancel()
		if err := st.Ping(ctx); err != nil {
			http.Error(w, "the store does not answer", http.StatusServiceUnavailable)
			return
		}
		w.Write([]byte("ready\n"))
	})
	return mux
}

// storeCollector reads the store's counts at scrape time.
type storeCollector struct {
	st                                                                     *analytics.Store
	reads, audit, ingestFiles, ingestRows, quarantined, destroyed, jobRuns *prometheus.Desc
	jobLastOK, listAge, undisposed, statsUp                                *prometheus.Desc
}

func newStoreCollector(st *analytics.Store) *storeCollector {
	d := prometheus.NewDesc
	return &storeCollector{st: st,
		reads:       d("alpr_reads", "Reads in the store.", nil, nil),
		audit:       d("alpr_audit_entries_total", "Audit-log entries by action (searches by kind are search.*).", []string{"action"}, nil),
		ingestFiles: d("alpr_ingest_files_total", "Drive files loaded, by kind.", []string{"kind"}, nil),
		ingestRows:  d("alpr_ingest_rows_total", "Rows loaded from drives, by kind.", []string{"kind"}, nil),
		quarantined: d("alpr_ingest_quarantined_files_total", "Drive files quarantined.", nil, nil),
		destroyed:   d("alpr_destroyed_records_total", "Records destroyed by retention, by series (the destruction log).", []string{"series"}, nil),
		jobRuns:     d("alpr_job_runs_total", "Scheduled job runs by job and result.", []string{"job", "result"}, nil),
		jobLastOK:   d("alpr_job_last_success_timestamp_seconds", "When each job last succeeded.", []string{"job"}, nil),
		listAge:     d("alpr_hotlist_age_seconds", "Age of each hot list in use, since it was last fetched or found current.", []string{"list"}, nil),
		undisposed:  d("alpr_hits_without_disposition", "Hits in the store with no disposition (order C.2b).", nil, nil),
		statsUp:     d("alpr_store_stats_up", "1 if the store's counts could be read at this scrape.", nil, nil),
	}
}

// Describe sends every metric's description.
func (c *storeCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.reads, c.audit, c.ingestFiles, c.ingestRows, c.quarantined, c.destroyed,
		c.jobRuns, c.jobLastOK, c.listAge, c.undisposed, c.statsUp} {
		ch <- d
	}
}

// Collect reads the store's counts (5 s at most).
func (c *storeCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	m := func(d *prometheus.Desc, t prometheus.ValueType, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, t, v, labels...)
	}
	s, err := c.st.Stats(ctx)
	if err != nil {
		m(c.statsUp, prometheus.GaugeValue, 0)
		return
	}
	m(c.statsUp, prometheus.GaugeValue, 1)
	m(c.reads, prometheus.GaugeValue, float64(s.Reads))
	m(c.quarantined, prometheus.CounterValue, float64(s.Quarantined))
	m(c.undisposed, prometheus.GaugeValue, float64(s.HitsWithoutDisposition))
	for k, v := range s.AuditByAction {
		m(c.audit, prometheus.CounterValue, float64(v), k)
	}
	for k, v := range s.IngestFiles {
		m(c.ingestFiles, prometheus.CounterValue, float64(v), k)
		m(c.ingestRows, prometheus.CounterValue, float64(s.IngestRows[k]), k)
	}
	for k, v := range s.DestroyedBySeries {
		m(c.destroyed, prometheus.CounterValue, float64(v), k)
	}
	for _, j := range s.Jobs {
		m(c.jobRuns, prometheus.CounterValue, float64(j.OK), j.Job, "ok")
		m(c.jobRuns, prometheus.CounterValue, float64(j.Failed), j.Job, "failed")
		if !j.LastOK.IsZero() {
			m(c.jobLastOK, prometheus.GaugeValue, float64(j.LastOK.Unix()), j.Job)
		}
	}
	now := time.Now()
	for _, h := range s.Hotlists {
		m(c.listAge, prometheus.GaugeValue, now.Sub(h.CheckedAt).Seconds(), h.List)
	}
}
