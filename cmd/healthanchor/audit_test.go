package main

import (
	"database/sql"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

type auditJSON struct {
	Jobs []struct {
		Job          string `json:"job"`
		Unreconciled int    `json:"unreconciled_runs"`
	} `json:"jobs"`
	Runs []struct {
		ID         int64 `json:"id"`
		Reconciles bool  `json:"reconciles"`
	} `json:"runs"`
	Reasons []struct {
		Reason string `json:"reason"`
		Count  int64  `json:"count"`
	} `json:"reject_reasons"`
	Batches []struct {
		BatchID     string `json:"batch_id"`
		MerkleRoot  string `json:"merkle_root"`
		BlockHeight int64  `json:"block_height"`
		BlockHash   string `json:"block_hash"`
	} `json:"batches"`
	Verification struct {
		OK       bool `json:"ok"`
		Verified int  `json:"files_verified"`
	} `json:"verification"`
	Checkpoint struct {
		Present   bool   `json:"present"`
		Note      string `json:"note"`
		Cosigners []struct {
			Name     string `json:"name"`
			Verified bool   `json:"verified"`
		} `json:"cosigners"`
	} `json:"checkpoint"`
	Disclosures struct {
		Note string `json:"note"`
	} `json:"disclosures"`
}

func auditReport(t *testing.T, cfg string, wantCode int, args ...string) (auditJSON, string) {
	t.Helper()
	out := filepath.Join(t.TempDir(), "audit.json")
	mustCode(t, ha(t, nil, append([]string{"--config", cfg, "audit", "--format", "json", "--out", out}, args...)...), wantCode, "audit --format json")
	raw, err := os.ReadFile(out)
	if err != nil {
		t.Fatalf("the report was not written: %v", err)
	}
	var rep auditJSON
	if err := json.Unmarshal(raw, &rep); err != nil {
		t.Fatalf("report: %v\n%s", err, raw)
	}
	return rep, string(raw)
}

// TestAuditReport writes the demo's report in both formats and checks its
// content: runs reconcile, reasons counted without input values, every
// batch with its block, verification held, no checkpoint on a single node.
func TestAuditReport(t *testing.T) {
	_, cfg := newDeployment(t)
	rep, raw := auditReport(t, cfg, 0)
	if anchored := len(batches(t, cfg)); len(rep.Runs) != 5 || len(rep.Jobs) != 5 || len(rep.Batches) != anchored {
		t.Fatalf("report has %d runs, %d jobs, %d batches; want 5, 5, %d", len(rep.Runs), len(rep.Jobs), len(rep.Batches), anchored)
	}
	for _, r := range rep.Runs {
		if !r.Reconciles {
			t.Errorf("run %d flagged as not reconciling", r.ID)
		}
	}
	var rejects int64
	for _, r := range rep.Reasons {
		rejects += r.Count
	}
	var wantRejects int64
	files := 0
	for _, b := range batches(t, cfg) {
		wantRejects += b.Rejects
		files++
		if b.RejectsPath != "" {
			files++
		}
	}
	if rejects != wantRejects {
		t.Errorf("reasons count %d rejects, want the %d of the demo's batches", rejects, wantRejects)
	}
	for _, value := range []string{"1981-02-30", "31/12/1960", "19791332"} {
		if strings.Contains(raw, value) {
			t.Errorf("the report shows the input value %q", value)
		}
	}
	for _, b := range rep.Batches {
		if b.MerkleRoot == "" || b.BlockHeight != 1 || len(b.BlockHash) != 64 {
			t.Errorf("batch %s lacks its root or block: %+v", b.BatchID, b)
		}
	}
	if !rep.Verification.OK || rep.Verification.Verified != files {
		t.Errorf("verification: %+v, want ok over %d files", rep.Verification, files)
	}
	if !rep.Checkpoint.Present || len(rep.Checkpoint.Cosigners) != 1 || !rep.Checkpoint.Cosigners[0].Verified {
		t.Errorf("a single node's checkpoint, signed by the node alone: %+v", rep.Checkpoint)
	}
	if rep.Disclosures.Note != "none recorded" {
		t.Errorf("disclosures: %q", rep.Disclosures.Note)
	}

	html := filepath.Join(t.TempDir(), "audit.html")
	mustCode(t, ha(t, nil, "--config", cfg, "audit", "--format", "html", "--out", html), 0, "audit --format html")
	page, _ := os.ReadFile(html)
	for _, want := range []string{"<svg", "<style>", "@media print", "Disclosures to other agencies", "none recorded", rep.Batches[0].MerkleRoot} {
		if !strings.Contains(string(page), want) {
			t.Errorf("the HTML report lacks %q", want)
		}
	}
	for _, external := range []string{"<script", "<link", " src=", "url("} {
		if strings.Contains(string(page), external) {
			t.Errorf("the HTML report is not self-contained: it has %q", external)
		}
	}

	tomorrow := time.Now().UTC().AddDate(0, 0, 1).Format(time.DateOnly)
	if empty, _ := auditReport(t, cfg, 0, "--from", tomorrow); len(empty.Runs)+len(empty.Batches) != 0 {
		t.Errorf("a period starting tomorrow has %d runs and %d batches", len(empty.Runs), len(empty.Batches))
	}
	mustCode(t, ha(t, nil, "--config", cfg, "audit", "--from", "2026-13-01", "--out", html), 2, "audit --from with a bad date")
	mustCode(t, ha(t, nil, "--config", cfg, "audit", "--format", "pdf", "--out", html), 2, "audit --format pdf")
}

// TestAuditFlagsFailures makes a run not reconcile and tampers with a
// batch file: the report flags both, is written, and the command exits 1.
func TestAuditFlagsFailures(t *testing.T) {
	dir, cfg := newDeployment(t)
	db, err := sql.Open("sqlite", filepath.Join(dir, "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`UPDATE runs SET rows_read = rows_read + 1 WHERE id = 2`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	rep, _ := auditReport(t, cfg, 0)
	bad := 0
	for _, r := range rep.Runs {
		if !r.Reconciles {
			bad++
			if r.ID != 2 {
				t.Errorf("run %d flagged, want run 2", r.ID)
			}
		}
	}
	if bad != 1 {
		t.Errorf("%d runs flagged as not reconciling, want 1", bad)
	}

	b := batches(t, cfg)[0]
	raw, _ := os.ReadFile(b.ParquetPath)
	raw[len(raw)/2] ^= 0x01
	if err := os.WriteFile(b.ParquetPath, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	rep, _ = auditReport(t, cfg, 1)
	if rep.Verification.OK {
		t.Error("the report says verification held on a tampered file")
	}
}
