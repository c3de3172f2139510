package anchor

import (
	"context"
	"encoding/hex"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/healthanchor/healthanchor/anchor/batchfile"
	"github.com/healthanchor/healthanchor/schemas"
)

// writeAnchoredBatch writes a batch of n patients and anchors its manifest.
func writeAnchoredBatch(t *testing.T, tc testChain, id string, n int, seq int64) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), id+".parquet")
	w, err := batchfile.Create(path, schemas.Patient, id, []byte("0123456789abcdef"), batchfile.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n; i++ {
		r := schemas.Patient.NewRow()
		r[schemas.IdxSource] = schemas.TextValue("his")
		r[schemas.IdxSourceRef] = schemas.TextValue(id + ":" + string(rune('a'+i%26)) + strings.Repeat("x", i/26))
		r[schemas.Patient.Index("patient_id")] = schemas.TextValue("P" + id)
		if err := w.Append(r); err != nil {
			t.Fatal(err)
		}
	}
	res, err := w.Close()
	if err != nil {
		t.Fatal(err)
	}
	m := tc.manifest(t, id, seq)
	m.Rows = res.Rows
	m.MerkleRoot = hex.EncodeToString(res.Root)
	if err := m.Sign(tc.key); err != nil {
		t.Fatal(err)
	}
	if _, err := tc.Propose(context.Background(), []Manifest{m}, "agency-a", tc.key, time.Unix(seq, 0)); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestProveAndVerify proves every row of a batch among several anchored
// batches, verifies each bundle against the genesis alone, and checks that
// any change to a bundle makes it fail.
func TestProveAndVerify(t *testing.T) {
	ctx := context.Background()
	tc := newTestChain(t)
	writeAnchoredBatch(t, tc, "b1", 3, 1)
	path := writeAnchoredBatch(t, tc, "b2", 11, 2)
	writeAnchoredBatch(t, tc, "b3", 1, 3)
	for row := int64(0); row < 11; row++ {
		p, err := tc.Prove(ctx, path, func(r int64, _ []byte) bool { return r == row })
		if err != nil {
			t.Fatal(err)
		}
		rep, err := VerifyProof(p, tc.Genesis())
		if err != nil {
			t.Fatalf("row %d: %v", row, err)
		}
		if rep.BatchID != "b2" || rep.Row != row || rep.LogSize != 3 {
			t.Errorf("row %d: report %+v", row, rep)
		}
	}
	p, err := tc.Prove(ctx, path, func(r int64, _ []byte) bool { return r == 4 })
	if err != nil {
		t.Fatal(err)
	}
	tamper := map[string]func(p *Proof){
		"record text":      func(p *Proof) { p.Record.Canonical = strings.Replace(p.Record.Canonical, "Pb2", "Pb9", 1) },
		"record index":     func(p *Proof) { p.Record.Index = 5 },
		"record path":      func(p *Proof) { p.Record.Inclusion[0] = strings.Repeat("0", 64) },
		"manifest rows":    func(p *Proof) { p.Manifest.Rows = 12 },
		"manifest root":    func(p *Proof) { p.Manifest.MerkleRoot = strings.Repeat("1", 64) },
		"log index":        func(p *Proof) { p.Log.Index = 0 },
		"log size":         func(p *Proof) { p.Log.Size = 2 },
		"block log root":   func(p *Proof) { p.Block.LogRoot = strings.Repeat("2", 64) },
		"block proposer":   func(p *Proof) { p.Block.Proposer = "agency-z" },
		"another chain id": func(p *Proof) { p.ChainID = "other" },
	}
	for name, f := range tamper {
		t.Run(name, func(t *testing.T) {
			cp := p
			cp.Record.Inclusion = append([]string(nil), p.Record.Inclusion...)
			f(&cp)
			if _, err := VerifyProof(cp, tc.Genesis()); err == nil {
				t.Fatal("a tampered proof verified")
			}
		})
	}
	if _, err := tc.Prove(ctx, path, func(int64, []byte) bool { return false }); err == nil {
		t.Error("Prove with no matching record succeeded")
	}
}
