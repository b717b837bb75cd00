package edge

import (
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics is the car's monitoring for IT (Options.Metrics): frames read
// and skipped per camera, reads, hits, the alert latency of a live run,
// the drive queue's depth, and each camera's and the GPS fix's state. Its
// own registry; served by Handler on a listener only IT reaches. A nil
// *Metrics records nothing.
type Metrics struct {
	reg          *prometheus.Registry
	reads, hits  prometheus.Counter
	alertLatency prometheus.Histogram
	cameraUp     *prometheus.GaugeVec
	gpsFix       prometheus.Gauge

	mu     sync.Mutex
	cams   []string
	counts []camCounts
	queue  *driveQueue

	frames, skipped, still, queued *prometheus.Desc
}

// NewMetrics makes the car's metrics.
func NewMetrics() *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry(),
		reads: prometheus.NewCounter(prometheus.CounterOpts{Name: "alpr_edge_reads_total", Help: "Reads written (one per plate track)."}),
		hits:  prometheus.NewCounter(prometheus.CounterOpts{Name: "alpr_edge_hits_total", Help: "Hot-list hits raised."}),
		alertLatency: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "alpr_edge_alert_latency_seconds",
			Help:    "From a frame's capture to its hit's alert, live cameras only.",
			Buckets: []float64{.05, .1, .2, .3, .5, .75, 1, 1.5, 2, 3, 5}}),
		cameraUp: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "alpr_edge_camera_up",
			Help: "1 while a camera delivers frames; 0 when it is lost, gone or ended."}, []string{"camera"}),
		gpsFix: prometheus.NewGauge(prometheus.GaugeOpts{Name: "alpr_edge_gps_fix", Help: "1 while the GPS has a current fix, 0 without one."}),
		frames: prometheus.NewDesc("alpr_edge_frames_total", "Frames taken from each camera.", []string{"camera"}, nil),
		skipped: prometheus.NewDesc("alpr_edge_frames_skipped_total",
			"Frames a live camera delivered while the recogniser was busy, not read.", []string{"camera"}, nil),
		still:  prometheus.NewDesc("alpr_edge_frames_still_total", "Frames not recognised because nothing moved.", []string{"camera"}, nil),
		queued: prometheus.NewDesc("alpr_edge_drive_queue_records", "Records waiting for the drive.", nil, nil),
	}
	m.reg.MustRegister(m.reads, m.hits, m.alertLatency, m.cameraUp, m.gpsFix, (*runCollector)(m),
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves /metrics and /healthz.
func (m *Metrics) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Timeout: 5 * time.Second}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("ok\n")) })
	return mux
}

// attach points the collector at a run's cameras and drive queue.
func (m *Metrics) attach(cams []string, counts []camCounts, q *driveQueue) {
	if m == nil {
		return
	}
	m.mu.Lock()
	m.cams, m.counts, m.queue = cams, counts, q
	m.mu.Unlock()
	for _, c := range cams {
		m.cameraUp.WithLabelValues(c).Set(1)
	}
}

// DriveQueue is how many records wait for the drive now (0 before a run).
func (m *Metrics) DriveQueue() int {
	m.mu.Lock()
	q := m.queue
	m.mu.Unlock()
	if q == nil {
		return 0
	}
	return q.Len()
}

func (m *Metrics) read() {
	if m != nil {
		m.reads.Inc()
	}
}

// hit counts a hit and, for a live frame, its latency.
func (m *Metrics) hit(latency time.Duration, live bool) {
	if m == nil {
		return
	}
	m.hits.Inc()
	if live {
		m.alertLatency.Observe(latency.Seconds())
	}
}

func (m *Metrics) camera(name string, up bool) {
	if m != nil {
		m.cameraUp.WithLabelValues(name).Set(b2f(up))
	}
}

func (m *Metrics) fix(ok bool) {
	if m != nil {
		m.gpsFix.Set(b2f(ok))
	}
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// runCollector reads a run's camera counts and queue at scrape time.
type runCollector Metrics

func (c *runCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.frames
	ch <- c.skipped
	ch <- c.still
	ch <- c.queued
}

func (c *runCollector) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	cams, counts, q := c.cams, c.counts, c.queue
	c.mu.Unlock()
	for i, cam := range cams {
		n := &counts[i]
		ch <- prometheus.MustNewConstMetric(c.frames, prometheus.CounterValue, float64(atomic.LoadInt64(&n.frames)), cam)
		ch <- prometheus.MustNewConstMetric(c.skipped, prometheus.CounterValue, float64(atomic.LoadInt64(&n.dropped)), cam)
		ch <- prometheus.MustNewConstMetric(c.still, prometheus.CounterValue, float64(atomic.LoadInt64(&n.still)), cam)
	}
	if q != nil {
		ch <- prometheus.MustNewConstMetric(c.queued, prometheus.GaugeValue, float64(q.Len()))
	}
}
