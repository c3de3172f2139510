package replication

import (
	"context"
	"strings"
	"testing"
)

// TestLatestQuorumNote checks that a node's proof checkpoint is the
// latest one a quorum signed, not its newest one: on a chain of two
// members (quorum 2), a head signed by this node alone is passed over for
// the previous checkpoint both signed, until the peer signs it too.
func TestLatestQuorumNote(t *testing.T) {
	ctx := context.Background()
	tc := newTestChain(t, nil, nil)
	g := tc.chain.Genesis()
	other := newTestChain(t, &g, tc.keys)
	a := checkpointNode(t, tc, "a")
	b := checkpointNode(t, other, "b")
	if got, err := a.latestQuorumNote(ctx, tc.chain); err != nil || got != "" {
		t.Fatalf("no checkpoint yet: %q, %v", got, err)
	}
	apply := func(index uint64, seq int64) {
		t.Helper()
		m := tc.manifest(t, "a", seq)
		for _, f := range []*fsm{a.n.fsm, b.n.fsm} {
			if res := f.Apply(logOf(t, index, nextBlock(t, f, "a", tc.keys["a"], m))).(applyResult); res.Err != nil {
				t.Fatal(res.Err)
			}
		}
	}
	apply(1, 1)
	signAndMerge(t, a, b)
	first, err := a.latestQuorumNote(ctx, tc.chain)
	if err != nil || !strings.Contains(first, "\n1\n") {
		t.Fatalf("after both signed size 1: %q, %v", first, err)
	}
	apply(2, 2)
	if err := a.signHead(ctx); err != nil {
		t.Fatal(err)
	}
	latest, _ := a.latestNote(ctx)
	if !strings.Contains(latest, "\n2\n") {
		t.Fatalf("latest note is not at size 2:\n%s", latest)
	}
	if got, _ := a.latestQuorumNote(ctx, tc.chain); got != first {
		t.Fatalf("with size 2 signed by a alone, the quorum note is\n%s\nwant the one at size 1:\n%s", got, first)
	}
	signAndMerge(t, a, b)
	if got, _ := a.latestQuorumNote(ctx, tc.chain); !strings.Contains(got, "\n2\n") {
		t.Fatalf("once b signed size 2 too, the quorum note is\n%s", got)
	}
}
