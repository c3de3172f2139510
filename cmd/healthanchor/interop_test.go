package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/healthanchor/healthanchor/internal/testtool"
)

// TestIndependentVerifier recomputes the Merkle root of every demo batch
// file (rows and rejects, every schema) with tools/verify-root.mjs, which
// follows docs/format.md alone and reads Parquet with DuckDB, and checks
// that it is exactly the anchored root. .ci/run installs DuckDB's Node
// package in bench/.
func TestIndependentVerifier(t *testing.T) {
	node, err := exec.LookPath("node")
	duck := filepath.Join("..", "..", "bench", "node_modules", "@duckdb", "node-api")
	if _, serr := os.Stat(duck); err != nil || serr != nil {
		testtool.Missing(t, "node or DuckDB's Node package", "run `npm install` in bench/ (.ci/run does)")
	}
	_, cfg := newDeployment(t)
	checked := 0
	for _, b := range batches(t, cfg) {
		var rejectsRoot string
		r := ha(t, nil, "--config", cfg, "verify", "batch", b.BatchID, "--json")
		mustCode(t, r, 0, "verify batch")
		var reps []struct {
			Path string `json:"path"`
			Kind string `json:"kind"`
			Root string `json:"merkle_root"`
		}
		if err := json.Unmarshal([]byte(r.stdout), &reps); err != nil {
			t.Fatal(err)
		}
		for _, rep := range reps {
			if rep.Kind == "rejects" {
				rejectsRoot = rep.Root
			}
		}
		files := map[string]string{b.ParquetPath: b.MerkleRoot}
		if b.RejectsPath != "" {
			files[b.RejectsPath] = rejectsRoot
		}
		for path, want := range files {
			got := duckRoot(t, node, path)
			if got.Root != want {
				t.Errorf("%s: the independent verifier computes root %s, the anchor says %s", filepath.Base(path), got.Root, want)
			}
			checked++
		}
	}
	if checked < 10 {
		t.Fatalf("checked only %d files", checked)
	}
	t.Logf("%d batch files: DuckDB-based roots match the anchors", checked)
}

// duckRootResult is what tools/verify-root.mjs prints.
type duckRootResult struct {
	Rows   int64  `json:"rows"`
	Erased int64  `json:"erased"`
	Root   string `json:"root"`
}

// duckRoot runs tools/verify-root.mjs (DuckDB, docs/format.md alone) on
// the batch file at path.
func duckRoot(t *testing.T, node, path string) duckRootResult {
	t.Helper()
	out, err := exec.Command(node, filepath.Join("..", "..", "tools", "verify-root.mjs"), path).Output()
	if err != nil {
		t.Fatalf("verify-root.mjs %s: %v", path, err)
	}
	var got duckRootResult
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("verify-root.mjs output %q: %v", out, err)
	}
	return got
}
