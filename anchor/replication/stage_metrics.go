package replication

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Stages of a block's commit, timed by healthanchor_block_stage_seconds:
//
//   - queue: on the leader, from a submission reaching the proposer to
//     the proposal of the block holding it (waiting for the block before
//     to be applied, and the batch window when one is set);
//   - build: admitting the submissions and signing the block;
//   - replicate: from raft Apply to the block applied on the leader
//     (log write and fsync on the leader, then on a majority, then the
//     leader's apply);
//   - apply: the state machine on every node, recording the Raft index
//     and appending the block to the chain store (two fsynced writes).
const (
	stageQueue     = "queue"
	stageBuild     = "build"
	stageReplicate = "replicate"
	stageApply     = "apply"
)

// newStageHistogram is healthanchor_block_stage_seconds, with buckets
// from 100 µs to 1 s.
func newStageHistogram() *prometheus.HistogramVec {
	return prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "healthanchor_block_stage_seconds",
		Help:    "Time a block spends in each stage of its commit: queue, build and replicate on the leader, apply on every node.",
		Buckets: prometheus.ExponentialBucketsRange(0.0001, 1, 16),
	}, []string{"stage"})
}

// observeStage records d for stage; m may be nil (a state machine under
// test).
func (m *metrics) observeStage(stage string, d time.Duration) {
	if m == nil || m.stages == nil {
		return
	}
	m.stages.WithLabelValues(stage).Observe(d.Seconds())
}
