package replication

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"strings"
	"testing"

	"github.com/hashicorp/raft"

	"github.com/healthanchor/healthanchor/anchor"
)

var discard = slog.New(slog.DiscardHandler)

func TestFSMAppliesValidBlocks(t *testing.T) {
	tc := newTestChain(t, nil, nil)
	f := newTestFSM(t, tc.chain)
	b1 := nextBlock(t, f, "a", tc.keys["a"], tc.manifest(t, "a", 1), tc.manifest(t, "b", 1))
	res := f.Apply(logOf(t, 1, b1)).(applyResult)
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	b2 := nextBlock(t, f, "b", tc.keys["b"], tc.manifest(t, "a", 2))
	if res := f.Apply(logOf(t, 2, b2)).(applyResult); res.Err != nil {
		t.Fatal(res.Err)
	}
	head, _ := tc.chain.Head(context.Background())
	if got, want := head.Height, int64(2); got != want {
		t.Fatalf("head %d, want %d", got, want)
	}
	// Replaying an entry already applied (Raft restart) changes nothing.
	if res := f.Apply(logOf(t, 1, b1)).(applyResult); res.Err != nil || res.Block.Height != 1 {
		t.Fatalf("replay of block 1: %+v", res)
	}
	if st := f.state(); st.Rejected != 0 || st.Head.Height != 2 {
		t.Fatalf("after replay: rejected %d, height %d", st.Rejected, st.Head.Height)
	}
}

// Every node runs the same Apply on the same bytes, so rejecting here is
// rejecting on every node; the entry becomes a recorded no-op.
func TestFSMRejectsBadBlocksDeterministically(t *testing.T) {
	tc := newTestChain(t, nil, nil)
	outsider := anchor.GenerateSigningKey()
	cases := []struct {
		name string
		make func(f *fsm) anchor.Block
		want string
	}{
		{"non-member proposer", func(f *fsm) anchor.Block {
			return nextBlock(t, f, "mallory", outsider, tc.manifest(t, "a", 1))
		}, "not a member"},
		{"member id signed with another key", func(f *fsm) anchor.Block {
			return nextBlock(t, f, "a", outsider, tc.manifest(t, "a", 1))
		}, "signature"},
		{"wrong previous hash", func(f *fsm) anchor.Block {
			b := nextBlock(t, f, "a", tc.keys["a"], tc.manifest(t, "a", 1))
			b.PrevHash = strings.Repeat("ab", 32)
			b.Sign(tc.keys["a"])
			return b
		}, "prev_hash"},
		{"manifest signed by a non-member", func(f *fsm) anchor.Block {
			m := tc.manifest(t, "a", 1)
			m.Sign(outsider)
			return nextBlock(t, f, "a", tc.keys["a"], m)
		}, "signature"},
		{"producer_seq gap", func(f *fsm) anchor.Block {
			return nextBlock(t, f, "a", tc.keys["a"], tc.manifest(t, "a", 2))
		}, "gapless"},
		{"garbage entry", nil, "log entry"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// Two replicas of the same chain apply the same entry.
			var errs []string
			for range 2 {
				g := tc.chain.Genesis()
				replica := newTestChain(t, &g, tc.keys)
				f := newTestFSM(t, replica.chain)
				var l *raft.Log
				if c.make == nil {
					l = &raft.Log{Index: 1, Type: raft.LogCommand, Data: []byte(`{"kind":"block","block":{"v":1},"extra":1}`)}
				} else {
					l = logOf(t, 1, c.make(f))
				}
				res := f.Apply(l).(applyResult)
				if res.Err == nil || !strings.Contains(res.Err.Error(), c.want) {
					t.Fatalf("Apply: %v, want an error mentioning %q", res.Err, c.want)
				}
				st := f.state()
				if st.Head.Height != 0 || st.Rejected != 1 || st.Corrupt != nil {
					t.Fatalf("after rejection: height %d, rejected %d, corrupt %v", st.Head.Height, st.Rejected, st.Corrupt)
				}
				errs = append(errs, res.Err.Error())
			}
			if errs[0] != errs[1] {
				t.Fatalf("replicas disagree:\n%s\n%s", errs[0], errs[1])
			}
		})
	}
}

func TestFSMDuplicateBatchIsRejected(t *testing.T) {
	tc := newTestChain(t, nil, nil)
	f := newTestFSM(t, tc.chain)
	m := tc.manifest(t, "a", 1)
	if res := f.Apply(logOf(t, 1, nextBlock(t, f, "a", tc.keys["a"], m))).(applyResult); res.Err != nil {
		t.Fatal(res.Err)
	}
	res := f.Apply(logOf(t, 2, nextBlock(t, f, "a", tc.keys["a"], m))).(applyResult)
	if !errors.Is(res.Err, anchor.ErrDuplicateBatch) {
		t.Fatalf("second anchoring of a batch: %v, want ErrDuplicateBatch", res.Err)
	}
}

func TestSnapshotRestoresAnotherReplica(t *testing.T) {
	tc := newTestChain(t, nil, nil)
	f := newTestFSM(t, tc.chain)
	for i := int64(1); i <= 3; i++ {
		if res := f.Apply(logOf(t, uint64(i), nextBlock(t, f, "a", tc.keys["a"], tc.manifest(t, "b", i)))).(applyResult); res.Err != nil {
			t.Fatal(res.Err)
		}
	}
	snap, _ := f.Snapshot()
	var buf bytes.Buffer
	if err := snap.(*chainSnapshot).write(&buf); err != nil {
		t.Fatal(err)
	}
	g := tc.chain.Genesis()
	replica := newTestChain(t, &g, tc.keys)
	rf := newTestFSM(t, replica.chain)
	if err := rf.Restore(nopCloser{bytes.NewReader(buf.Bytes())}); err != nil {
		t.Fatal(err)
	}
	if got, want := rf.state().HeadHash, f.state().HeadHash; got != want {
		t.Fatalf("restored head %s, want %s", got, want)
	}
	// Restoring again (a restart from the same snapshot) is a no-op.
	if err := rf.Restore(nopCloser{bytes.NewReader(buf.Bytes())}); err != nil {
		t.Fatal(err)
	}

	if _, err := os.Stat(replica.chain.Path() + ".restore"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the built store was left behind: %v", err)
	}
	if _, err := replica.chain.Verify(context.Background()); err != nil {
		t.Fatalf("restored chain: %v", err)
	}

	// A replica whose chain went another way takes the snapshot's chain
	// and keeps its own store aside as evidence, reporting a fork.
	other := newTestChain(t, &g, tc.keys)
	of := newTestFSM(t, other.chain)
	mine := tc.manifest(t, "a", 1)
	if res := of.Apply(logOf(t, 1, nextBlock(t, of, "b", tc.keys["b"], mine))).(applyResult); res.Err != nil {
		t.Fatal(res.Err)
	}
	var forks []restoreFork
	of.onFork = func(f restoreFork) { forks = append(forks, f) }
	if err := of.Restore(nopCloser{bytes.NewReader(buf.Bytes())}); err != nil {
		t.Fatalf("restore over a diverged chain: %v", err)
	}
	if got, want := of.state().HeadHash, f.state().HeadHash; got != want {
		t.Fatalf("diverged replica's head after restore %s, want %s", got, want)
	}
	if len(forks) != 1 || forks[0].Height != 1 {
		t.Fatalf("forks reported: %+v, want one at height 1", forks)
	}
	kept, err := anchor.OpenChain(forks[0].KeptAs)
	if err != nil {
		t.Fatalf("evidence store: %v", err)
	}
	if _, ok, _ := kept.Lookup(context.Background(), mine.BatchID); !ok {
		t.Error("the evidence store lost the local block")
	}
	kept.Close()

	// A snapshot holding a forged block is refused.
	forged := bytes.Replace(buf.Bytes(), []byte(`"proposer":"a"`), []byte(`"proposer":"b"`), 1)
	fresh := newTestChain(t, &g, tc.keys)
	if err := newTestFSM(t, fresh.chain).Restore(nopCloser{bytes.NewReader(forged)}); err == nil {
		t.Fatal("restore of a forged snapshot succeeded")
	}
}

type nopCloser struct{ *bytes.Reader }

func (nopCloser) Close() error { return nil }
