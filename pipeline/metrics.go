package pipeline

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the Prometheus metrics of job runs, served on /metrics by
// `serve` and written to a textfile by `run --metrics-file`.
type Metrics struct {
	Registry     *prometheus.Registry
	rowsRead     *prometheus.CounterVec
	rowsWritten  *prometheus.CounterVec
	rowsRejected *prometheus.CounterVec
	runs         *prometheus.CounterVec
	duration     *prometheus.HistogramVec
	lastSuccess  *prometheus.GaugeVec
	chainHeight  prometheus.Gauge
}

// NewMetrics registers the run metrics on a fresh registry.
func NewMetrics() *Metrics {
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		rowsRead: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "healthanchor_rows_read_total", Help: "Source records read, per job."}, []string{"job"}),
		rowsWritten: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "healthanchor_rows_written_total", Help: "Canonical rows written to anchored batches, per job."}, []string{"job"}),
		rowsRejected: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "healthanchor_rows_rejected_total", Help: "Source records rejected (kept in the rejects files), per job."}, []string{"job"}),
		runs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "healthanchor_runs_total", Help: "Job runs by outcome (ok, nothing-new, failed)."}, []string{"job", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "healthanchor_batch_duration_seconds", Help: "Duration of a job's run, from plan to publish.",
			Buckets: prometheus.ExponentialBuckets(0.1, 2, 14)}, []string{"job"}),
		lastSuccess: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "healthanchor_last_success_timestamp_seconds", Help: "Unix time of the job's last successful run."}, []string{"job"}),
		chainHeight: prometheus.NewGauge(chainHeightOpts),
	}
	m.Registry.MustRegister(m.rowsRead, m.rowsWritten, m.rowsRejected, m.runs, m.duration, m.lastSuccess, m.chainHeight)
	return m
}

var chainHeightOpts = prometheus.GaugeOpts{
	Name: "healthanchor_chain_height", Help: "Height of the local chain's head block."}

// ReadChainAtScrape makes the chain height read n's chain store at every
// scrape, so that a block another process appended (a run from cron, a
// replica) shows at once; serve uses it, a one-shot textfile does not.
func (m *Metrics) ReadChainAtScrape(n *Node) {
	m.Registry.Unregister(m.chainHeight)
	m.Registry.MustRegister(prometheus.NewGaugeFunc(chainHeightOpts, func() float64 {
		head, err := n.Chain.Head(context.Background())
		if err != nil {
			return math.NaN()
		}
		return float64(head.Height)
	}))
}

// Observe records one job run's result.
func (m *Metrics) Observe(r JobResult, took time.Duration, at time.Time) {
	m.rowsRead.WithLabelValues(r.Job).Add(float64(r.RowsRead))
	m.rowsWritten.WithLabelValues(r.Job).Add(float64(r.RowsWritten))
	m.rowsRejected.WithLabelValues(r.Job).Add(float64(r.RowsRejected))
	m.runs.WithLabelValues(r.Job, r.Status).Inc()
	m.duration.WithLabelValues(r.Job).Observe(took.Seconds())
	if r.Status != RunFailed {
		m.lastSuccess.WithLabelValues(r.Job).Set(float64(at.Unix()))
	}
}

// Load sets what the state DB and chain already know: each job's last
// successful run and the chain height, so a restarted daemon or a one-shot
// run reports them too.
func (m *Metrics) Load(ctx context.Context, n *Node) error {
	for _, j := range n.Config.Jobs {
		runs, err := n.State.Runs(ctx, j.Name, 1000)
		if err != nil {
			return err
		}
		for _, r := range runs {
			if r.Status == RunOK || r.Status == RunNoop {
				t, err := time.Parse(time.RFC3339Nano, r.EndedAt)
				if err != nil {
					return fmt.Errorf("pipeline: metrics: run %d: %w", r.ID, err)
				}
				m.lastSuccess.WithLabelValues(j.Name).Set(float64(t.Unix()))
				break
			}
		}
	}
	return m.UpdateChain(ctx, n)
}

// UpdateChain refreshes the chain height gauge.
func (m *Metrics) UpdateChain(ctx context.Context, n *Node) error {
	head, err := n.Chain.Head(ctx)
	if err != nil {
		return err
	}
	m.chainHeight.Set(float64(head.Height))
	return nil
}

// WriteTextfile writes the metrics in the Prometheus text format to path
// (atomically), for node_exporter's textfile collector.
func (m *Metrics) WriteTextfile(path string) error {
	if err := prometheus.WriteToTextfile(path, m.Registry); err != nil {
		return fmt.Errorf("pipeline: metrics textfile: %w", err)
	}
	return nil
}
