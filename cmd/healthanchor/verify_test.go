package main

import (
	"os"
	"strings"
	"testing"
)

// swapFile puts the bytes of src at dst for the duration of fn.
func swapFile(t *testing.T, src, dst string, fn func()) {
	t.Helper()
	orig, err := os.ReadFile(dst)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, data, 0o644); err != nil {
		t.Fatal(err)
	}
	defer os.WriteFile(dst, orig, 0o644)
	fn()
}

// wantFail checks exit 1 and that stderr holds every one of words.
func wantFail(t *testing.T, r result, what string, words ...string) {
	t.Helper()
	mustCode(t, r, 1, what)
	for _, w := range words {
		if !strings.Contains(r.stderr, w) {
			t.Errorf("%s: message does not say %q:\n%s", what, w, r.stderr)
		}
	}
}

// TestVerifyBatchSubstitutedFiles puts genuine files at the wrong place:
// another batch's file over a batch's rows file, a batch's rejects file
// over its rows file and the other way round. Each file verifies on its
// own, but not as the file of the batch asked about.
func TestVerifyBatchSubstitutedFiles(t *testing.T) {
	dir, cfg := newDeployment(t)
	var a, b listed
	for _, l := range batches(t, cfg) {
		switch l.Job {
		case "patients-csv":
			a = l
		case "legacy-patients":
			b = l
		}
	}
	if a.BatchID == "" || b.BatchID == "" || b.RejectsPath == "" {
		t.Fatalf("the demo has no patients-csv batch or no legacy-patients batch with rejects: %+v %+v", a, b)
	}

	swapFile(t, a.ParquetPath, b.ParquetPath, func() {
		wantFail(t, ha(t, nil, "--config", cfg, "verify", "batch", b.BatchID), "another batch's file, by id", b.BatchID, "batch id", "sha256")
		wantFail(t, ha(t, nil, "--config", cfg, "verify", "batch", b.ParquetPath), "another batch's file, by path", b.BatchID, "batch id")
		wantFail(t, ha(t, nil, "demo", "--dir", dir), "demo's final verification", b.BatchID, "batch id")
	})
	swapFile(t, b.RejectsPath, b.ParquetPath, func() {
		wantFail(t, ha(t, nil, "--config", cfg, "verify", "batch", b.BatchID), "rejects file over the rows file", b.BatchID, "rows file", "schema")
	})
	swapFile(t, b.ParquetPath, b.RejectsPath, func() {
		wantFail(t, ha(t, nil, "--config", cfg, "verify", "batch", b.BatchID), "rows file over the rejects file", b.BatchID, "rejects file", "merkle root")
	})
	// A file handed over on its own is checked as the batch its footer names.
	mustCode(t, ha(t, nil, "--config", cfg, "verify", "batch", a.ParquetPath), 0, "verify a genuine file by path")
	mustCode(t, ha(t, nil, "--config", cfg, "verify", "batch", b.BatchID), 0, "verify the restored batch")
}
