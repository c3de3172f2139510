package replication

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/hashicorp/raft"

	"github.com/healthanchor/healthanchor/anchor"
)

// testChain is a chain of two members, a and b, in a temp folder.
type testChain struct {
	chain *anchor.Chain
	keys  map[string]ed25519.PrivateKey
}

var epoch = time.Date(2026, 3, 1, 2, 0, 0, 0, time.UTC)

func newTestChain(t *testing.T, genesis *anchor.Block, keys map[string]ed25519.PrivateKey) testChain {
	t.Helper()
	if genesis == nil {
		keys = map[string]ed25519.PrivateKey{"a": anchor.GenerateSigningKey(), "b": anchor.GenerateSigningKey()}
		var members []anchor.Member
		for _, id := range []string{"a", "b"} {
			members = append(members, anchor.Member{ID: id, Name: id, PublicKey: anchor.EncodePublicKey(keys[id].Public().(ed25519.PublicKey))})
		}
		g, err := anchor.NewGenesis("test-chain", members, "a", keys["a"], epoch)
		if err != nil {
			t.Fatal(err)
		}
		genesis = &g
	}
	path := filepath.Join(t.TempDir(), "chain.db")
	if err := anchor.CreateChain(path, *genesis); err != nil {
		t.Fatal(err)
	}
	c, err := anchor.OpenChain(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return testChain{chain: c, keys: keys}
}

// manifest returns a signed manifest of agency with producer_seq seq.
func (tc testChain) manifest(t *testing.T, agency string, seq int64) anchor.Manifest {
	t.Helper()
	w := []byte(fmt.Sprintf("%s/%d", agency, seq))
	wk := anchor.NewWatermarkKey([]byte(agency))
	d := wk.Digest(w)
	m := anchor.Manifest{
		Version: anchor.ManifestVersion, ChainID: tc.chain.ChainID(), Agency: agency, ProducerSeq: seq,
		BatchID: wk.BatchID("job", agency, "patient/1", false, nil, w), Job: "job", Source: agency,
		WindowFrom: d, WindowTo: d, Schema: "patient/1", Fingerprint: d, MerkleRoot: d, RejectsRoot: d,
		ParquetSHA256: d, RejectsSHA256: d, CreatedAt: epoch.Format(time.RFC3339),
	}
	if err := m.Sign(tc.keys[agency]); err != nil {
		t.Fatal(err)
	}
	return m
}

// block builds the next block on f's head proposed by proposer and
// signed by key.
func nextBlock(t *testing.T, f *fsm, proposer string, key ed25519.PrivateKey, ms ...anchor.Manifest) anchor.Block {
	t.Helper()
	n := &Node{chain: f.chain, agency: proposer, key: key}
	b, err := n.buildBlock(f.state(), ms, nil)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func logOf(t *testing.T, index uint64, b anchor.Block) *raft.Log {
	t.Helper()
	data, err := encodeBlockEntry(b)
	if err != nil {
		t.Fatal(err)
	}
	return &raft.Log{Index: index, Term: 1, Type: raft.LogCommand, Data: data}
}

func newTestFSM(t *testing.T, c *anchor.Chain) *fsm {
	t.Helper()
	store, err := openRaftStore(filepath.Join(t.TempDir(), raftDBName))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	return newTestFSMWith(t, c, store)
}

// newTestFSMWith is newTestFSM over a given Raft store (a restart).
func newTestFSMWith(t *testing.T, c *anchor.Chain, store *raftStore) *fsm {
	t.Helper()
	f, err := newFSM(context.Background(), c, store, discard)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func mustHash(t *testing.T, b anchor.Block) string {
	t.Helper()
	h, err := b.Hash()
	if err != nil {
		t.Fatal(err)
	}
	return h
}
