package replication

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"

	"github.com/healthanchor/healthanchor/anchor"
)

// checkpointNode wires a checkpointer for member id over chain tc.
func checkpointNode(t *testing.T, tc testChain, id string) *checkpointer {
	t.Helper()
	store, err := openRaftStore(filepath.Join(t.TempDir(), "raft.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	n := &Node{cfg: Config{NodeID: id}, chain: tc.chain, agency: id, key: tc.keys[id], logger: discard,
		metrics: newMetrics(), store: store, fsm: newTestFSM(t, tc.chain)}
	c, err := newCheckpointer(n)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// signAndMerge has a and b sign their heads, then a take in b's
// checkpoint (cosigning it when it matches).
func signAndMerge(t *testing.T, a, b *checkpointer) {
	t.Helper()
	ctx := context.Background()
	for _, c := range []*checkpointer{a, b} {
		if err := c.signHead(ctx); err != nil {
			t.Fatal(err)
		}
	}
	bNote, _ := b.latestNote(ctx)
	if err := a.consider(ctx, "b", bNote); err != nil {
		t.Fatal(err)
	}
}

func TestCheckpointCosignAndFork(t *testing.T) {
	ctx := context.Background()
	tc := newTestChain(t, nil, nil)
	g := tc.chain.Genesis()
	other := newTestChain(t, &g, tc.keys)
	a := checkpointNode(t, tc, "a")
	b := checkpointNode(t, other, "b")
	m := tc.manifest(t, "a", 1)
	for _, f := range []*fsm{a.n.fsm, b.n.fsm} {
		if res := f.Apply(logOf(t, 1, nextBlock(t, f, "a", tc.keys["a"], m))).(applyResult); res.Err != nil {
			t.Fatal(res.Err)
		}
	}
	signAndMerge(t, a, b)
	merged, _ := a.latestNote(ctx)
	// a's own signature, b's signature, a's cosignature of b's checkpoint.
	if got := strings.Count(merged, "\n— "); got != 3 {
		t.Fatalf("merged checkpoint has %d signatures, want 3:\n%s", got, merged)
	}
	if _, err := note.Open([]byte(merged), a.verifiers); err != nil {
		t.Fatalf("merged checkpoint does not verify: %v", err)
	}
	if forks, _ := a.forks(ctx); len(forks) != 0 {
		t.Fatalf("forks on agreeing chains: %+v", forks)
	}

	// A third replica where b signed another block at the same log size.
	forked := newTestChain(t, &g, tc.keys)
	c := checkpointNode(t, forked, "b")
	m2 := tc.manifest(t, "b", 1)
	if res := c.n.fsm.Apply(logOf(t, 1, nextBlock(t, c.n.fsm, "b", tc.keys["b"], m2))).(applyResult); res.Err != nil {
		t.Fatal(res.Err)
	}
	if err := c.signHead(ctx); err != nil {
		t.Fatal(err)
	}
	cNote, _ := c.latestNote(ctx)
	if err := a.consider(ctx, "b", cNote); err != nil {
		t.Fatal(err)
	}
	forks, _ := a.forks(ctx)
	if len(forks) != 1 || forks[0].PeerNote != cNote || forks[0].LogSize != 1 || !strings.Contains(forks[0].LocalNote, "— a ") {
		t.Fatalf("fork evidence %+v", forks)
	}

	// A checkpoint signed by a non-member is ignored, not evidence.
	outsider := anchor.GenerateSigningKey()
	skey, _ := NoteKeys("mallory", outsider)
	s, _ := note.NewSigner(skey)
	bad, _ := note.Sign(&note.Note{Text: strings.SplitN(cNote, "\n\n", 2)[0] + "\n"}, s)
	if err := a.consider(ctx, "mallory", string(bad)); err == nil {
		t.Fatal("a checkpoint signed by a non-member was accepted")
	}
	if forks, _ := a.forks(ctx); len(forks) != 1 {
		t.Fatalf("non-member checkpoint recorded as evidence: %d forks", len(forks))
	}
}
