package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// TestCLIUsageDetails: unknown job names are usage errors (exit 2), the
// text listings have headers and roots, and gen says what it wrote.
func TestCLIUsageDetails(t *testing.T) {
	_, cfg := newDeployment(t)

	r := ha(t, nil, "--config", cfg, "run", "no-such-job")
	mustCode(t, r, 2, "run of an unknown job")
	if !strings.Contains(r.stderr, `no job named "no-such-job"`) {
		t.Errorf("run of an unknown job does not name it:\n%s", r.stderr)
	}
	r = ha(t, nil, "--config", cfg, "runs", "--job", "no-such-job")
	mustCode(t, r, 2, "runs of an unknown job")

	r = ha(t, nil, "--config", cfg, "runs")
	mustCode(t, r, 0, "runs")
	if first, _, _ := strings.Cut(r.stdout, "\n"); !strings.HasPrefix(first, "RUN ") {
		t.Errorf("runs has no header: %q", first)
	}

	list := batches(t, cfg)
	r = ha(t, nil, "--config", cfg, "batches")
	mustCode(t, r, 0, "batches")
	if len(list) == 0 || !strings.Contains(r.stdout, list[0].MerkleRoot) || !strings.Contains(r.stdout, "MERKLE ROOT") {
		t.Errorf("batches text does not show the roots:\n%s", r.stdout)
	}

	r = ha(t, nil, "--config", cfg, "verify", "batch", "--all")
	mustCode(t, r, 0, "verify batch --all")
	files := 0
	for _, b := range list {
		files++
		if b.RejectsPath != "" {
			files++
		}
	}
	if got := strings.Count(r.stdout, ": batch "); got != files || !strings.Contains(r.stdout, "OK: every file matches") {
		t.Errorf("verify batch --all checked %d files, want %d:\n%s", got, files, r.stdout)
	}
	r = ha(t, nil, "--config", cfg, "verify", "batch", list[0].BatchID, "no-such-batch", list[len(list)-1].BatchID)
	mustCode(t, r, 1, "verify batch with one unknown id among two good ones")
	if !strings.Contains(r.stdout, list[len(list)-1].BatchID) {
		t.Errorf("verify batch stopped at the bad id instead of checking the rest:\n%s", r.stdout)
	}
	mustCode(t, ha(t, nil, "--config", cfg, "verify", "batch"), 2, "verify batch with nothing named")
	mustCode(t, ha(t, nil, "--config", cfg, "verify", "batch", "--all", list[0].BatchID), 2, "verify batch --all with an id")

	r = ha(t, nil, "--config", cfg, "chain", "checkpoint")
	mustCode(t, r, 0, "chain checkpoint on a single node")
	if !strings.HasPrefix(r.stdout, "healthanchor-demo\n") || !strings.Contains(r.stdout, "\n— demo-hospital ") {
		t.Errorf("chain checkpoint on a single node:\n%s", r.stdout)
	}

	out := filepath.Join(t.TempDir(), "p.csv")
	r = ha(t, nil, "gen", "--kind", "csv", "--rows", "10", "--out", out)
	mustCode(t, r, 0, "gen")
	if !strings.Contains(r.stderr, "wrote 10 rows") {
		t.Errorf("gen is silent: %q", r.stderr)
	}
}

// TestProveMessages: a proof of a reject says reject/1, a missing
// source_ref is named with the files searched (exit 1), and verify proof
// finds the genesis through the config.
func TestProveMessages(t *testing.T) {
	_, cfg := newDeployment(t)
	var batch string
	for _, b := range batches(t, cfg) {
		if b.Rejects > 0 && b.Schema == "patient/1" {
			batch = b.BatchID
			break
		}
	}
	if batch == "" {
		t.Fatal("no demo batch with rejects")
	}
	r := ha(t, nil, "--config", cfg, "rejects", "--batch", batch, "--json")
	mustCode(t, r, 0, "rejects --batch")
	var rj struct {
		Rejects []struct {
			SourceRef string `json:"source_ref"`
		} `json:"rejects"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &rj); err != nil || len(rj.Rejects) == 0 {
		t.Fatalf("rejects --json: %v\n%s", err, r.stdout)
	}
	out := filepath.Join(t.TempDir(), "p.json")
	r = ha(t, nil, "--config", cfg, "prove", batch, "--source-ref", rj.Rejects[0].SourceRef, "--out", out)
	mustCode(t, r, 0, "prove a reject by its source_ref")
	if !strings.Contains(r.stderr, "(reject/1)") {
		t.Errorf("the proof of a reject does not say reject/1: %s", r.stderr)
	}
	r = ha(t, nil, "--config", cfg, "prove", batch, "--source-ref", "nowhere.csv:99", "--out", out)
	mustCode(t, r, 1, "prove a missing source_ref")
	if !strings.Contains(r.stderr, `"nowhere.csv:99"`) || !strings.Contains(r.stderr, ".rejects.parquet") {
		t.Errorf("the failed prove does not name the ref and the files: %s", r.stderr)
	}
	r = ha(t, nil, "--config", cfg, "verify", "proof", out)
	mustCode(t, r, 0, "verify proof with the config's genesis")
	if !strings.Contains(r.stdout, "reject/1") {
		t.Errorf("verify proof: %s", r.stdout)
	}
}
