package anchor

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// BenchmarkAppend measures the single-node append: a block of one signed
// manifest built and signed, validated against the head and written in
// one SQLite transaction (synchronous=FULL, so fsynced). ns/op is one
// block; the replicated commit is anchor/replication's BenchmarkCommit.
func BenchmarkAppend(b *testing.B) {
	ctx := context.Background()
	tc := newTestChain(b)
	ms := make([]Manifest, b.N)
	for i := range ms {
		ms[i] = tc.manifest(b, fmt.Sprint("batch-", i), int64(i+1))
	}
	b.ResetTimer()
	for i := range ms {
		if _, err := tc.Propose(ctx, ms[i:i+1], "agency-a", tc.key, time.Unix(int64(i+1), 0)); err != nil {
			b.Fatalf("block %d: %v", i+1, err)
		}
	}
}
