package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestUnmatchedFileWarned: an export dropped under a name no job's input
// pattern takes is not read, and run says so, naming the file.
func TestUnmatchedFileWarned(t *testing.T) {
	dir, cfg := newDeployment(t)
	before := len(batches(t, cfg))
	if err := os.WriteFile(filepath.Join(dir, "inbox/csv/export-2026-12-01.csv"), []byte(extraCSV), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "inbox/csv/.partial-upload"), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := ha(t, nil, "--config", cfg, "run")
	mustCode(t, r, 0, "run with an unmatched file")
	if !strings.Contains(r.stderr, "matches no job") || !strings.Contains(r.stderr, "inbox/csv/export-2026-12-01.csv") {
		t.Errorf("run did not warn about the unmatched file:\n%s", r.stderr)
	}
	if strings.Contains(r.stderr, ".partial-upload") || strings.Contains(r.stderr, "inbox/csv/patients-") {
		t.Errorf("run warned about a hidden file or a matched one:\n%s", r.stderr)
	}
	if after := len(batches(t, cfg)); after != before {
		t.Errorf("an unmatched file was anchored: %d new batches", after-before)
	}
}
