package replication

import (
	"context"
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the replica's Prometheus metrics (see Node.Collectors).
type metrics struct {
	forks    prometheus.Counter
	rejected func() int64 // the state machine's count of refused entries
	gauge    prometheus.GaugeFunc
	halted   func() bool // whether the state machine halted on a forked log
	haltedG  prometheus.GaugeFunc
	stages   *prometheus.HistogramVec // healthanchor_block_stage_seconds (stage_metrics.go)
}

func newMetrics() *metrics {
	m := &metrics{
		forks: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "healthanchor_chain_forks_total",
			Help: "Forks seen since start: validly signed checkpoints, snapshots or Raft log entries disagreeing with the local chain (evidence kept, see chain status).",
		}),
		stages: newStageHistogram(),
	}
	m.gauge = prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "healthanchor_chain_rejected_entries",
		Help: "Raft log entries the state machine refused since start (recorded no-ops).",
	}, func() float64 {
		if m.rejected == nil {
			return 0
		}
		return float64(m.rejected())
	})
	m.haltedG = prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "healthanchor_replica_halted",
		Help: "1 when the state machine stopped applying blocks because the Raft log contradicts an entry it applied (see chain status halted and forks).",
	}, func() float64 {
		if m.halted != nil && m.halted() {
			return 1
		}
		return 0
	})
	return m
}

func (m *metrics) fork() { m.forks.Inc() }

// Collectors returns the replica's metrics for the daemon's registry:
// the counter healthanchor_chain_forks_total, the gauges
// healthanchor_chain_rejected_entries and healthanchor_replica_halted,
// the histogram healthanchor_block_stage_seconds{stage}, and the health
// gauges healthanchor_replica_ready and, per peer,
// healthanchor_peer_reachable, healthanchor_peer_last_contact_seconds and
// healthanchor_peer_replication_lag_entries.
func (n *Node) Collectors() []prometheus.Collector {
	return []prometheus.Collector{n.metrics.forks, n.metrics.gauge, n.metrics.haltedG, n.metrics.stages, newHealthCollector(n)}
}

// recordRestoreFork keeps a fork found while restoring a snapshot as
// evidence, next to the checkpoint forks.
func (n *Node) recordRestoreFork(f restoreFork) {
	n.metrics.fork()
	local := fmt.Sprintf("local block %d hash %s (the local store is kept as %s)", f.Height, f.LocalHash, f.KeptAs)
	peer := fmt.Sprintf("snapshot block %d hash %s", f.Height, f.SnapshotHash)
	if n.store == nil {
		return
	}
	if err := n.store.addEvidence(context.Background(), "snapshot", 0, local, peer); err != nil {
		n.logger.Error("fork evidence not stored", logErr, err)
	}
}
