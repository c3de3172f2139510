package replication_test

import (
	"testing"
	"time"

	"github.com/healthanchor/healthanchor/internal/cputime"
)

// BenchmarkIdle measures what a 3-node loopback cluster costs while
// nothing is submitted (go test ./anchor/replication -run X -bench Idle
// -benchtime 3x): the processor time of the three nodes, in percent of
// one core, over each second of idleness. Raft's heartbeats and the
// leader's empty AppendEntries (one per follower every CommitTimeout to
// twice that) are what it measures.
func BenchmarkIdle(b *testing.B) {
	bc := newBenchCluster(b)
	bc.leader()
	time.Sleep(time.Second) // past the election and the first round
	var cpu, wall time.Duration
	for b.Loop() {
		c0, t0 := cputime.Must(), time.Now()
		time.Sleep(time.Second)
		cpu, wall = cpu+cputime.Must()-c0, wall+time.Since(t0)
	}
	b.ReportMetric(100*cpu.Seconds()/wall.Seconds(), "%core")
}
