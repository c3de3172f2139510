package anchor

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

type testChain struct {
	*Chain
	key ed25519.PrivateKey
}

func newTestChain(t testing.TB) testChain {
	t.Helper()
	key := ed25519.NewKeyFromSeed(make([]byte, 32))
	g, err := NewGenesis("test-chain", []Member{{ID: "agency-a", Name: "Agency A", PublicKey: EncodePublicKey(key.Public().(ed25519.PublicKey))}}, "agency-a", key, time.Unix(0, 0))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "chain.db")
	if err := CreateChain(path, g); err != nil {
		t.Fatal(err)
	}
	c, err := OpenChain(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return testChain{c, key}
}

func (tc testChain) manifest(t testing.TB, batch string, seq int64) Manifest {
	t.Helper()
	m := Manifest{Version: ManifestVersion, ChainID: tc.ChainID(), BatchID: batch, Agency: "agency-a", ProducerSeq: seq,
		Job: "j", Schema: "patient/1", Rows: 3, MerkleRoot: strings.Repeat("ab", 32), ParquetSHA256: strings.Repeat("cd", 32)}
	if err := m.Sign(tc.key); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestChainAppendAndVerify(t *testing.T) {
	ctx := context.Background()
	tc := newTestChain(t)
	for h := int64(1); h <= 3; h++ {
		ms := []Manifest{tc.manifest(t, fmt.Sprint("b", h, "x"), 2*h-1), tc.manifest(t, fmt.Sprint("b", h, "y"), 2*h)}
		if _, err := tc.Propose(ctx, ms, "agency-a", tc.key, time.Unix(h, 0)); err != nil {
			t.Fatalf("block %d: %v", h, err)
		}
	}
	rep, err := tc.Verify(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Height != 3 || rep.Manifests != 6 {
		t.Errorf("report %+v, want height 3 and 6 manifests", rep)
	}
	a, ok, err := tc.Lookup(ctx, "b2y")
	if err != nil || !ok || a.Height != 2 || a.Index != 1 || a.LogIndex != 3 {
		t.Errorf("Lookup(b2y) = %+v, %v, %v", a, ok, err)
	}
	seq, _ := tc.NextProducerSeq(ctx, "agency-a")
	if seq != 7 {
		t.Errorf("next producer seq = %d, want 7", seq)
	}
}

func TestChainRefuses(t *testing.T) {
	ctx := context.Background()
	tc := newTestChain(t)
	if _, err := tc.Propose(ctx, []Manifest{tc.manifest(t, "b1", 1)}, "agency-a", tc.key, time.Unix(1, 0)); err != nil {
		t.Fatal(err)
	}
	other := ed25519.NewKeyFromSeed([]byte("0123456789abcdef0123456789abcdef"))
	forged := tc.manifest(t, "b3", 2)
	if err := forged.Sign(other); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name      string
		manifests []Manifest
		proposer  string
		key       ed25519.PrivateKey
		want      string
	}{
		{"duplicate batch", []Manifest{tc.manifest(t, "b1", 2)}, "agency-a", tc.key, "already anchored"},
		{"gap in producer seq", []Manifest{tc.manifest(t, "b2", 3)}, "agency-a", tc.key, "gapless"},
		{"manifest signed by a non-member key", []Manifest{forged}, "agency-a", tc.key, "signature"},
		{"block signed by a non-member key", []Manifest{tc.manifest(t, "b4", 2)}, "agency-a", other, "signature"},
		{"unknown proposer", []Manifest{tc.manifest(t, "b5", 2)}, "agency-z", tc.key, "not a member"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := tc.Propose(ctx, c.manifests, c.proposer, c.key, time.Unix(2, 0))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Propose = %v, want an error containing %q", err, c.want)
			}
		})
	}
	_, err := tc.Propose(ctx, []Manifest{tc.manifest(t, "b1", 2)}, "agency-a", tc.key, time.Unix(2, 0))
	if !errors.Is(err, ErrDuplicateBatch) {
		t.Errorf("duplicate batch error %v does not wrap ErrDuplicateBatch", err)
	}
	if _, err := tc.Verify(ctx); err != nil {
		t.Fatalf("refused blocks left the chain unverifiable: %v", err)
	}
}

// TestChainTamper changes one value in each column of each chain table and
// expects Verify to notice.
func TestChainTamper(t *testing.T) {
	edits := []string{
		`UPDATE blocks SET hash = (CASE WHEN substr(hash, 1, 2) = 'ff' THEN 'ee' ELSE 'ff' END) || substr(hash, 3) WHERE height = 1`,
		`UPDATE blocks SET prev_hash = (CASE WHEN substr(prev_hash, 1, 2) = 'ff' THEN 'ee' ELSE 'ff' END) || substr(prev_hash, 3) WHERE height = 2`,
		`UPDATE blocks SET body = replace(body, '"rows":3', '"rows":4') WHERE height = 1`,
		`UPDATE blocks SET body = replace(body, '"agency-a"', '"agency-a" ') WHERE height = 2`,
		`UPDATE blocks SET body = replace(body, '"test-chain"', '"evil-chain"') WHERE height = 0`,
		`DELETE FROM blocks WHERE height = 2`,
		`UPDATE manifests SET rows = 5 WHERE batch_id = 'b1'`,
		`UPDATE manifests SET merkle_root = '00' WHERE batch_id = 'b2'`,
		`UPDATE manifests SET parquet_sha256 = '00' WHERE batch_id = 'b2'`,
		`UPDATE manifests SET job = 'other' WHERE batch_id = 'b1'`,
		`UPDATE manifests SET leaf_hash = '00' WHERE batch_id = 'b1'`,
		`DELETE FROM manifests WHERE batch_id = 'b3'`,
		`INSERT INTO manifests VALUES ('b9', 1, 5, 99, 'agency-a', 99, 'j', 'patient/1', 1, 0, 'r', 's', 'l')`,
	}
	for _, edit := range edits {
		t.Run(edit, func(t *testing.T) {
			ctx := context.Background()
			tc := newTestChain(t)
			for h, id := range []string{"b1", "b2", "b3"} {
				if _, err := tc.Propose(ctx, []Manifest{tc.manifest(t, id, int64(h+1))}, "agency-a", tc.key, time.Unix(int64(h), 0)); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := tc.Verify(ctx); err != nil {
				t.Fatal(err)
			}
			if _, err := tc.db.Exec(`PRAGMA foreign_keys = OFF`); err != nil {
				t.Fatal(err)
			}
			res, err := tc.db.Exec(edit)
			if err != nil {
				t.Fatal(err)
			}
			if n, _ := res.RowsAffected(); n != 1 {
				t.Fatalf("edit changed %d rows, want 1", n)
			}
			if _, err := tc.Verify(ctx); err == nil {
				t.Fatal("Verify passed on a tampered chain")
			}
		})
	}
}
