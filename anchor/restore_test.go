package anchor

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// copyInto builds a new store at path from src's blocks.
func copyInto(t *testing.T, src *Chain, path string) (*ChainBuilder, error) {
	t.Helper()
	ctx := context.Background()
	cb, err := NewChainBuilder(path, src.Genesis())
	if err != nil {
		t.Fatal(err)
	}
	head, err := src.Head(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for h := int64(1); h <= head.Height; h++ {
		b, err := src.Block(ctx, h)
		if err != nil {
			t.Fatal(err)
		}
		if err := cb.Append(ctx, b); err != nil {
			cb.Abort()
			return nil, err
		}
	}
	return cb, nil
}

func TestSwapRestoresAChainBehind(t *testing.T) {
	ctx := context.Background()
	src := newMemberChain(t)
	for _, id := range []string{"a", "b", "a"} {
		if err := src.anchor(t, id, "b"); err != nil {
			t.Fatal(err)
		}
	}
	// dst holds the same genesis and nothing else.
	dstPath := filepath.Join(t.TempDir(), "chain.db")
	if err := CreateChain(dstPath, src.Genesis()); err != nil {
		t.Fatal(err)
	}
	dst, err := OpenChain(dstPath)
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	if _, ok := dst.MemberKey("a"); !ok {
		t.Fatal("member a unknown before the swap")
	}
	built := dstPath + ".restore"
	cb, err := copyInto(t, src.Chain, built)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := cb.Finish(ctx)
	if err != nil || rep.Height != 3 {
		t.Fatalf("Finish = %+v, %v", rep, err)
	}
	if _, err := os.Stat(built + "-wal"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the built store still has a write-ahead file: %v", err)
	}
	if err := dst.Swap(ctx, built, ""); err != nil {
		t.Fatal(err)
	}
	got, err := dst.Verify(ctx)
	if err != nil || got != rep {
		t.Fatalf("after swap: %+v, %v; want %+v", got, err, rep)
	}
	if _, err := os.Stat(built); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("built file still there: %v", err)
	}
	// The swapped handle appends on the new store.
	if err := src.anchor(t, "c", "a"); err != nil {
		t.Fatal(err)
	}
	b4, _ := src.Block(ctx, 4)
	if err := dst.Append(ctx, b4); err != nil {
		t.Fatalf("append after swap: %v", err)
	}
}

func TestSwapKeepsADisagreeingChain(t *testing.T) {
	ctx := context.Background()
	src := newMemberChain(t)
	if err := src.anchor(t, "a", "a"); err != nil {
		t.Fatal(err)
	}
	// other shares the genesis but holds another block 1.
	dir := t.TempDir()
	otherPath := filepath.Join(dir, "chain.db")
	if err := CreateChain(otherPath, src.Genesis()); err != nil {
		t.Fatal(err)
	}
	other, err := OpenChain(otherPath)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	m := src.manifest(t, "b", src.keys["b"])
	m.ProducerSeq, m.BatchID = 1, "b-other"
	if err := m.Sign(src.keys["b"]); err != nil {
		t.Fatal(err)
	}
	if _, err := other.Propose(ctx, []Manifest{m}, "b", src.keys["b"], time.Unix(3, 0)); err != nil {
		t.Fatal(err)
	}
	cb, err := copyInto(t, src.Chain, otherPath+".restore")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cb.Finish(ctx); err != nil {
		t.Fatal(err)
	}
	evidence := filepath.Join(dir, "chain.db.fork-1")
	if err := other.Swap(ctx, otherPath+".restore", evidence); err != nil {
		t.Fatal(err)
	}
	if a, ok, err := other.Lookup(ctx, "a-1"); err != nil || !ok || a.Height != 1 {
		t.Fatalf("after swap, a-1 = %+v %v %v", a, ok, err)
	}
	kept, err := OpenChain(evidence)
	if err != nil {
		t.Fatalf("evidence store: %v", err)
	}
	defer kept.Close()
	if _, ok, _ := kept.Lookup(ctx, "b-other"); !ok {
		t.Fatal("the kept store lost its own block")
	}
}

func TestChainBuilderRefusesBadBlocks(t *testing.T) {
	ctx := context.Background()
	src := newMemberChain(t)
	if err := src.anchor(t, "a", "a"); err != nil {
		t.Fatal(err)
	}
	b, _ := src.Block(ctx, 1)
	b.Manifests[0].Rows = 99 // breaks the manifest and the block signatures
	cb, err := NewChainBuilder(filepath.Join(t.TempDir(), "x.db"), src.Genesis())
	if err != nil {
		t.Fatal(err)
	}
	defer cb.Abort()
	if err := cb.Append(ctx, b); err == nil || !strings.Contains(err.Error(), "signature") {
		t.Fatalf("Append of an edited block = %v", err)
	}
	// Another chain's file cannot be swapped in.
	foreign := newTestChain(t)
	built := filepath.Join(t.TempDir(), "foreign.db")
	fb, err := NewChainBuilder(built, foreign.Genesis())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fb.Finish(ctx); err != nil {
		t.Fatal(err)
	}
	if err := src.Swap(ctx, built, ""); err == nil || !strings.Contains(err.Error(), "another chain") {
		t.Fatalf("Swap of another chain's store = %v", err)
	}
	if _, err := src.Verify(ctx); err != nil {
		t.Fatalf("refused swap broke the chain: %v", err)
	}
}
