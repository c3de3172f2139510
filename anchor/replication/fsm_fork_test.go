package replication

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/healthanchor/healthanchor/anchor"
)

// A node restarts and Raft replays an index whose entry is not the one
// the node applied there: its chain forked from the committed log. It
// halts, records the evidence and applies nothing more.
func TestFSMHaltsWhenReplayedIndexDiffers(t *testing.T) {
	tc := newTestChain(t, nil, nil)
	store, err := openRaftStore(filepath.Join(t.TempDir(), raftDBName))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	f := newTestFSMWith(t, tc.chain, store)
	b1 := nextBlock(t, f, "a", tc.keys["a"], tc.manifest(t, "a", 1))
	if res := f.Apply(logOf(t, 1, b1)).(applyResult); res.Err != nil {
		t.Fatal(res.Err)
	}
	other := nextBlock(t, f, "b", tc.keys["b"], tc.manifest(t, "b", 1))
	b2 := nextBlock(t, f, "a", tc.keys["a"], tc.manifest(t, "a", 2))
	if res := f.Apply(logOf(t, 2, b2)).(applyResult); res.Err != nil {
		t.Fatal(res.Err)
	}

	restarted := newTestFSMWith(t, tc.chain, store)
	var forks []logFork
	restarted.onLogFork = func(fk logFork) { forks = append(forks, fk) }
	if res := restarted.Apply(logOf(t, 1, b1)).(applyResult); res.Err != nil {
		t.Fatalf("replay of index 1: %v", res.Err)
	}
	res := restarted.Apply(logOf(t, 2, other)).(applyResult)
	if !errors.Is(res.Err, ErrForked) {
		t.Fatalf("index 2 replayed with another block: %v, want ErrForked", res.Err)
	}
	st := restarted.state()
	if st.Halted == nil || st.Head.Height != 2 || st.HeadHash != mustHash(t, b2) {
		t.Fatalf("after the fork: halted %v, head %d %s", st.Halted, st.Head.Height, st.HeadHash)
	}
	if len(forks) != 1 || forks[0].Applied.Index != 2 || forks[0].Applied.Height != 2 {
		t.Fatalf("fork evidence: %+v", forks)
	}
	b3 := nextBlock(t, restarted, "a", tc.keys["a"], tc.manifest(t, "a", 3))
	if res := restarted.Apply(logOf(t, 3, b3)).(applyResult); !errors.Is(res.Err, ErrForked) {
		t.Fatalf("entry after the halt: %v, want ErrForked", res.Err)
	}
	if h := restarted.state().Head.Height; h != 2 {
		t.Fatalf("a halted node applied block %d", h)
	}
	if _, err := restarted.Snapshot(); err == nil {
		t.Fatal("a halted node took a snapshot")
	}
	if err := restarted.waitHeight(context.Background(), 3); !errors.Is(err, ErrForked) {
		t.Fatalf("waitHeight on a halted node: %v", err)
	}
}

// A follower applies an entry a false leader sent, then the real leader
// replaces that entry in its Raft log (a different term at the same
// index). Raft never applies an index twice, so the next real block no
// longer fits the chain; the state machine finds the rewritten entry and
// halts instead of refusing the real blocks one by one.
func TestFSMHaltsWhenLogRewrittenUnderIt(t *testing.T) {
	tc := newTestChain(t, nil, nil)
	g := tc.chain.Genesis()
	victim := newTestFSM(t, tc.chain)
	log := victim.applied.(*raftStore)
	honest := newTestFSM(t, newTestChain(t, &g, tc.keys).chain)

	b1 := nextBlock(t, victim, "a", tc.keys["a"], tc.manifest(t, "a", 1))
	apply := func(f *fsm, index uint64, b anchor.Block) applyResult {
		t.Helper()
		entry := logOf(t, index, b)
		if f == victim {
			if err := log.StoreLog(entry); err != nil {
				t.Fatal(err)
			}
		}
		return f.Apply(entry).(applyResult)
	}
	for _, f := range []*fsm{victim, honest} {
		if res := apply(f, 1, b1); res.Err != nil {
			t.Fatal(res.Err)
		}
	}
	injected := nextBlock(t, victim, "b", tc.keys["b"], tc.manifest(t, "b", 1))
	real2 := nextBlock(t, honest, "a", tc.keys["a"], tc.manifest(t, "a", 2))
	if res := apply(victim, 2, injected); res.Err != nil {
		t.Fatalf("the injected block: %v", res.Err)
	}
	if res := apply(honest, 2, real2); res.Err != nil {
		t.Fatal(res.Err)
	}
	// The real leader overwrites index 2 on the victim; Raft does not
	// apply it again.
	if err := log.StoreLog(logOf(t, 2, real2)); err != nil {
		t.Fatal(err)
	}
	real3 := nextBlock(t, honest, "a", tc.keys["a"], tc.manifest(t, "a", 3))
	res := apply(victim, 3, real3)
	if !errors.Is(res.Err, ErrForked) {
		t.Fatalf("block 3 on the victim: %v, want ErrForked", res.Err)
	}
	if st := victim.state(); st.Halted == nil {
		t.Fatal("the victim is not halted")
	}
}

// A leader's block built on a stale head (a held height, at a new index)
// is refused alike on every node and halts none, also when replayed.
func TestFSMStaleProposalIsNoOp(t *testing.T) {
	tc := newTestChain(t, nil, nil)
	store, err := openRaftStore(filepath.Join(t.TempDir(), raftDBName))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	f := newTestFSMWith(t, tc.chain, store)
	b1 := nextBlock(t, f, "a", tc.keys["a"], tc.manifest(t, "a", 1))
	stale := nextBlock(t, f, "b", tc.keys["b"], tc.manifest(t, "b", 1))
	for i := range 2 {
		g := f
		if i == 1 {
			g = newTestFSMWith(t, tc.chain, store) // a restart replays both
		}
		if res := g.Apply(logOf(t, 1, b1)).(applyResult); res.Err != nil {
			t.Fatal(res.Err)
		}
		if res := g.Apply(logOf(t, 2, stale)).(applyResult); res.Err == nil || errors.Is(res.Err, ErrForked) {
			t.Fatalf("stale proposal: %v, want a plain refusal", res.Err)
		}
		if st := g.state(); st.Halted != nil || st.Rejected != 1 || st.Head.Height != 1 {
			t.Fatalf("after a stale proposal: halted %v, rejected %d, height %d", st.Halted, st.Rejected, st.Head.Height)
		}
	}
}
