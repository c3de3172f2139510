package replication

import (
	"errors"
	"testing"

	"github.com/healthanchor/healthanchor/anchor"
)

// TestFSMAppliesEntries applies a block carrying a manifest and an
// entry, reloads the state machine from the store (a restart) and
// checks that its log counts both, so the next block still applies; a
// replayed entry is refused on every node.
func TestFSMAppliesEntries(t *testing.T) {
	tc := newTestChain(t, nil, nil)
	f := newTestFSM(t, tc.chain)
	e, err := anchor.NewEntry(tc.chain.ChainID(), anchor.KindDisclosure, "a", map[string]any{"recipient": "b"}, tc.keys["a"], epoch)
	if err != nil {
		t.Fatal(err)
	}
	n := &Node{chain: f.chain, agency: "a", key: tc.keys["a"]}
	b1, err := n.buildBlock(f.state(), []anchor.Manifest{tc.manifest(t, "a", 1)}, []anchor.Entry{e})
	if err != nil {
		t.Fatal(err)
	}
	if res := f.Apply(logOf(t, 1, b1)).(applyResult); res.Err != nil {
		t.Fatal(res.Err)
	}
	f2 := newTestFSM(t, tc.chain)
	if got := f2.state().Tree.Size(); got != 2 {
		t.Fatalf("reloaded log size %d, want 2 (one manifest, one entry)", got)
	}
	b2 := nextBlock(t, f2, "b", tc.keys["b"], tc.manifest(t, "a", 2))
	if res := f2.Apply(logOf(t, 2, b2)).(applyResult); res.Err != nil {
		t.Fatal(res.Err)
	}
	b3, err := n.buildBlock(f2.state(), nil, []anchor.Entry{e})
	if err != nil {
		t.Fatal(err)
	}
	res := f2.Apply(logOf(t, 3, b3)).(applyResult)
	if !errors.Is(res.Err, anchor.ErrDuplicateEntry) {
		t.Fatalf("replayed entry: %v, want ErrDuplicateEntry", res.Err)
	}
}
