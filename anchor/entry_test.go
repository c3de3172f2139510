package anchor

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

type testBody struct {
	Recipient string `json:"recipient"`
	Records   int64  `json:"records"`
}

func (pc *proofChain) entry(t testing.TB, agency string, recipient string) Entry {
	t.Helper()
	e, err := NewEntry(pc.ChainID(), KindDisclosure, agency, testBody{Recipient: recipient, Records: 2}, pc.keys[agency], time.Unix(100, 0))
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// TestEntriesInTheLog anchors entries beside manifests and checks that
// they are leaves of the one log after their block's manifests: the
// chain verifies, manifests keep proofs at their log index, entries are
// found by id, and a replayed entry is refused.
func TestEntriesInTheLog(t *testing.T) {
	ctx := context.Background()
	pc := openProofChain(t, newGenesis(t, 0, "a", "b"))
	p1 := pc.batch(t, "a", "a", 3)
	e1 := pc.entry(t, "a", "b")
	b, err := pc.ProposeBlock(ctx, nil, []Entry{e1}, "a", pc.keys["a"], time.Unix(5, 0))
	if err != nil {
		t.Fatal(err)
	}
	if b.LogSize != 2 {
		t.Errorf("log_size after one manifest and one entry = %d, want 2", b.LogSize)
	}
	p2 := pc.batch(t, "b", "b", 2)
	a2, _, err := pc.Lookup(ctx, "b-1")
	if err != nil || a2.LogIndex != 2 {
		t.Fatalf("batch after an entry at log index %d (%v), want 2", a2.LogIndex, err)
	}
	rep, err := pc.Verify(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Manifests != 2 || rep.Entries != 1 {
		t.Errorf("report %+v, want 2 manifests and 1 entry", rep)
	}
	cp := pc.checkpoint(t, "a", "b")
	for _, path := range []string{p1, p2} {
		p, err := pc.prove(t, path, 1, cp)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if _, err := VerifyProof(p, pc.Genesis()); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
	}
	id, _ := e1.ID()
	got, ok, err := pc.LookupEntry(ctx, id)
	if err != nil || !ok || got.Height != b.Height || got.LogIndex != 1 {
		t.Fatalf("lookup entry: %+v %v %v", got, ok, err)
	}
	all, err := pc.Entries(ctx, KindDisclosure)
	if err != nil || len(all) != 1 || all[0].ID != id || all[0].LogIndex != 1 {
		t.Fatalf("entries: %+v %v", all, err)
	}
	if _, err := pc.ProposeBlock(ctx, nil, []Entry{e1}, "a", pc.keys["a"], time.Unix(6, 0)); !errors.Is(err, ErrDuplicateEntry) {
		t.Fatalf("replayed entry: %v, want ErrDuplicateEntry", err)
	}
}

// TestEntryRefused checks the rules every entry meets.
func TestEntryRefused(t *testing.T) {
	ctx := context.Background()
	pc := openProofChain(t, newGenesis(t, 0, "a", "b"))
	outsider := testKey("x")
	cases := map[string]func(e *Entry){
		"unknown kind":      func(e *Entry) { e.Kind = "gossip"; e.Sign(pc.keys["a"]) },
		"other chain":       func(e *Entry) { e.ChainID = "other"; e.Sign(pc.keys["a"]) },
		"not a member":      func(e *Entry) { e.Agency = "x"; e.Sign(outsider) },
		"signed by another": func(e *Entry) { e.Sign(pc.keys["b"]) },
		"body changed":      func(e *Entry) { e.Body = []byte(`{"recipient":"c","records":2}`) },
		"body not object":   func(e *Entry) { e.Body = []byte(`[1]`); e.Sign(pc.keys["a"]) },
		"manifest domain": func(e *Entry) {
			c, _ := e.unsigned()
			e.Signature = sign(pc.keys["a"], DomainManifest, c)
		},
		"kind swapped": func(e *Entry) { e.Kind = KindReceipt },
	}
	for name, mutate := range cases {
		e := pc.entry(t, "a", "b")
		mutate(&e)
		if _, err := pc.ProposeBlock(ctx, nil, []Entry{e}, "a", pc.keys["a"], time.Unix(5, 0)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := pc.Verify(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestBlockWithoutEntriesUnchanged checks that a block carrying no
// entries encodes as before entries existed: no "entries" member.
func TestBlockWithoutEntriesUnchanged(t *testing.T) {
	b := Block{Version: 1, ChainID: "c", Entries: []Entry{}}
	raw, err := b.Encode()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(raw), "entries") {
		t.Fatalf("empty entries encoded: %s", raw)
	}
}
