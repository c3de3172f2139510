package anchor

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/healthanchor/healthanchor/anchor/batchfile"
)

// TestBatchBundle builds a batch bundle and checks it with its file: it
// holds no record and survives JSON; the file's root, rows and batch id
// are checked against its manifest (and its digest, which the test
// manifest does not match, until a row is erased); another batch's file,
// a bundle with a record or an unknown scope fail.
func TestBatchBundle(t *testing.T) {
	ctx := context.Background()
	g := newGenesis(t, 0, "agency-a")
	pc := openProofChain(t, g)
	path := pc.batch(t, "agency-a", "agency-a", 9)
	other := pc.batch(t, "agency-a", "agency-a", 9)
	cp, err := pc.SignCheckpoint(ctx, "agency-a", pc.keys["agency-a"])
	if err != nil {
		t.Fatal(err)
	}
	p, err := pc.ProveBatch(ctx, "agency-a-1", cp)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(raw), `"record"`) || !strings.Contains(string(raw), `"scope":"batch"`) {
		t.Errorf("batch bundle JSON: %s", raw)
	}
	parsed, err := ParseProof(raw)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := VerifyProof(parsed, g)
	if err != nil || rep.Scope != ScopeBatch || rep.Row != -1 {
		t.Fatalf("VerifyProof of a batch bundle: %+v, %v", rep, err)
	}

	// The test manifest's parquet_sha256 is not the file's: only that differs.
	_, err = VerifyBatchBundle(ctx, parsed, g, path)
	var mm *Mismatch
	if !errors.As(err, &mm) || len(mm.Problems) != 2 || !strings.Contains(err.Error(), "sha256") || !strings.Contains(err.Error(), "size") {
		t.Errorf("unerased file with another digest: %v", err)
	}
	// Erased, the file is bound by its root alone.
	erased := filepath.Join(t.TempDir(), "agency-a-1.parquet")
	if _, err := batchfile.Erase(ctx, path, erased, []int64{3}, 0o600); err != nil {
		t.Fatal(err)
	}
	rep, err = VerifyBatchBundle(ctx, parsed, g, erased)
	if err != nil || rep.Rows != 9 || rep.Erased != 1 {
		t.Errorf("erased file: %+v, %v", rep, err)
	}
	_, err = VerifyBatchBundle(ctx, parsed, g, other)
	if err == nil || !strings.Contains(err.Error(), "batch id") || !strings.Contains(err.Error(), "merkle root") {
		t.Errorf("another batch's file: %v", err)
	}

	withRecord := parsed
	withRecord.Record = ProofRecord{Canonical: "{}", Index: 1}
	if _, err := VerifyProof(withRecord, g); err == nil || !strings.Contains(err.Error(), "holds no record") {
		t.Errorf("batch bundle with a record: %v", err)
	}
	unknown := parsed
	unknown.Scope = "patient"
	if _, err := VerifyProof(unknown, g); err == nil || !strings.Contains(err.Error(), "scope") {
		t.Errorf("unknown scope: %v", err)
	}
	if _, err := VerifyBatchBundle(ctx, unknown, g, erased); err == nil {
		t.Errorf("VerifyBatchBundle of a bundle that is not a batch bundle passed")
	}
	if _, err := pc.ProveBatch(ctx, "agency-a-9", cp); err == nil {
		t.Errorf("ProveBatch of a batch not on the chain passed")
	}
}
