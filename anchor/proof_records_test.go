package anchor

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// TestProveRecords passes every record of a batch, as a source would
// send them, through ProveRecords: all verify, each bundle passes
// VerifyProof on its own, and a record altered after the first (whose
// frame alone is checked whole) fails with its row named.
func TestProveRecords(t *testing.T) {
	ctx := context.Background()
	g := newGenesis(t, 0, "agency-a")
	pc := openProofChain(t, g)
	path := pc.batch(t, "agency-a", "agency-a", 9)
	cp, err := pc.SignCheckpoint(ctx, "agency-a", pc.keys["agency-a"])
	if err != nil {
		t.Fatal(err)
	}
	var sent []ProofRecord
	for row := int64(0); row < 9; row++ {
		p, err := pc.prove(t, path, row, cp)
		if err != nil {
			t.Fatal(err)
		}
		sent = append(sent, p.Record)
	}
	ps, err := pc.ProveRecords(ctx, "agency-a-1", sent, cp)
	if err != nil || len(ps) != 9 {
		t.Fatalf("ProveRecords: %d bundles, %v", len(ps), err)
	}
	for _, p := range ps {
		if _, err := VerifyProof(p, g); err != nil {
			t.Errorf("record %d: %v", p.Record.Index, err)
		}
	}
	for name, tamper := range map[string]func(r *ProofRecord){
		"text":  func(r *ProofRecord) { r.Canonical = strings.Replace(r.Canonical, "Pagency", "Pxgency", 1) },
		"index": func(r *ProofRecord) { r.Index = 2 },
		"path":  func(r *ProofRecord) { r.Inclusion[0] = strings.Repeat("0", 64) },
	} {
		bad := append([]ProofRecord(nil), sent...)
		bad[6].Inclusion = append([]string(nil), bad[6].Inclusion...)
		tamper(&bad[6])
		_, err := pc.ProveRecords(ctx, "agency-a-1", bad, cp)
		var re *RecordError
		if !errors.As(err, &re) || re.Row != bad[6].Index {
			t.Errorf("%s altered in record 6: %v", name, err)
		}
	}
}
