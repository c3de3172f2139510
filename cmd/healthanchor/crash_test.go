package main

import (
	"encoding/json"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// newDeployment runs the demo into a fresh folder and returns its config.
func newDeployment(t *testing.T) (dir, cfg string) {
	t.Helper()
	dir = filepath.Join(t.TempDir(), "d")
	mustCode(t, ha(t, nil, "demo", "--dir", dir), 0, "demo")
	return dir, filepath.Join(dir, "healthanchor.yaml")
}

// dropGenerated writes a generated CSV of n records into the CSV inbox.
func dropGenerated(t *testing.T, dir, name string, n int, seed int) {
	t.Helper()
	out := filepath.Join(dir, "inbox/csv", name)
	mustCode(t, ha(t, nil, "gen", "--kind", "csv", "--rows", fmt.Sprint(n), "--seed", fmt.Sprint(seed), "--bad", "0.02", "--out", out+".part"), 0, "gen")
	if err := os.Rename(out+".part", out); err != nil {
		t.Fatal(err)
	}
}

// checkExactlyOnce verifies the chain and every batch, and checks that the
// job's anchored rows and rejects add up to want records, that no batch
// file is unaccounted for, and that no temporary file is left.
func checkExactlyOnce(t *testing.T, dir, cfg, job string, want int64) {
	t.Helper()
	checkExactlyOnceOf(t, dir, cfg, "", job, want)
}

// checkExactlyOnceOf is checkExactlyOnce for the batches of one agency
// (all agencies when agency is ""): on a replicated chain, where every
// agency runs a job of the same name, the node of the producing agency
// holds that agency's files.
func checkExactlyOnceOf(t *testing.T, dir, cfg, agency, job string, want int64) {
	t.Helper()
	mustCode(t, ha(t, nil, "--config", cfg, "verify", "chain"), 0, "verify chain")
	var got int64
	files := map[string]bool{}
	for _, b := range batches(t, cfg) {
		if b.Job != job || (agency != "" && b.Agency != agency) {
			continue
		}
		got += b.Rows + b.Rejects
		mustCode(t, ha(t, nil, "--config", cfg, "verify", "batch", b.BatchID), 0, "verify batch "+b.BatchID)
		files[filepath.Base(b.ParquetPath)] = true
		if b.RejectsPath != "" {
			files[filepath.Base(b.RejectsPath)] = true
		}
	}
	if got != want {
		t.Errorf("job %s%s anchored %d records (rows + rejects), the source has %d", job, agencySuffix(agency), got, want)
	}
	entries, _ := os.ReadDir(filepath.Join(dir, "batches", job))
	for _, e := range entries {
		if !files[e.Name()] {
			t.Errorf("stray file %s in the job's output folder", e.Name())
		}
	}
	if tmp, _ := filepath.Glob(filepath.Join(dir, "batches/.tmp/*")); len(tmp) > 0 {
		t.Errorf("temporary files left: %v", tmp)
	}
}

func agencySuffix(agency string) string {
	if agency == "" {
		return ""
	}
	return " of agency " + agency
}

// demoRecords is what the demo's patients-csv job anchors before a test
// drops its own files (306 records in the demo sample).
func demoRecords(t *testing.T, cfg string) int64 {
	var n int64
	for _, b := range batches(t, cfg) {
		if b.Job == "patients-csv" {
			n += b.Rows + b.Rejects
		}
	}
	return n
}

// TestCrashMatrix kills `run` with SIGKILL at each named step, then runs
// again: every record must end up anchored exactly once and every
// published file must match its anchor.
func TestCrashMatrix(t *testing.T) {
	for _, step := range []string{"reading", "written", "anchored", "published"} {
		t.Run(step, func(t *testing.T) {
			dir, cfg := newDeployment(t)
			base := demoRecords(t, cfg)
			dropGenerated(t, dir, "patients-crash.csv", 5000, 7)
			r := ha(t, []string{"HEALTHANCHOR_CRASH_AT=" + step}, "--config", cfg, "run", "patients-csv")
			if r.code != -1 {
				t.Fatalf("run with a crash at %s: exit %d, want killed\n%s", step, r.code, r.stderr)
			}
			mustCode(t, ha(t, nil, "--config", cfg, "run", "patients-csv"), 0, "run after the crash")
			checkExactlyOnce(t, dir, cfg, "patients-csv", base+5000)
			r = ha(t, nil, "--config", cfg, "run", "patients-csv")
			mustCode(t, r, 0, "third run")
			if !strings.Contains(r.stdout, "nothing new") {
				t.Errorf("a third run found something new:\n%s", r.stdout)
			}
		})
	}
}

// TestRandomKills SIGKILLs `run` at random moments while it works through
// an inbox of several files, then lets one run finish: exactly the
// source's records are anchored, once each, and no stray file is left.
func TestRandomKills(t *testing.T) {
	dir, cfg := newDeployment(t)
	base := demoRecords(t, cfg)
	const files, per = 6, 20000
	for i := 0; i < files; i++ {
		dropGenerated(t, dir, fmt.Sprintf("patients-bulk-%d.csv", i), per, 100+i)
	}
	rng := rand.New(rand.NewSource(1))
	for i := 0; i < 8; i++ {
		cmd := exec.Command(binary, "--config", cfg, "run", "patients-csv")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(50+rng.Intn(900)) * time.Millisecond)
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		if i == 3 {
			// New files keep arriving between the kills.
			dropGenerated(t, dir, "patients-late.csv", 3000, 99)
		}
	}
	mustCode(t, ha(t, nil, "--config", cfg, "run", "patients-csv"), 0, "final run")
	r := ha(t, nil, "--config", cfg, "run", "patients-csv")
	mustCode(t, r, 0, "run after the final run")
	checkExactlyOnce(t, dir, cfg, "patients-csv", base+files*per+3000)
}

// TestBackfill re-extracts a job's first window with run --from/--to: a
// new batch marked backfill holds the same rows, and the nightly
// watermark does not move (the next nightly run finds nothing new).
func TestBackfill(t *testing.T) {
	_, cfg := newDeployment(t)
	r := ha(t, nil, "--config", cfg, "runs", "--job", "patients-csv", "--json")
	mustCode(t, r, 0, "runs")
	var runs []struct {
		Status     string `json:"status"`
		RowsRead   int64  `json:"rows_read"`
		WindowFrom string `json:"window_from"`
		WindowTo   string `json:"window_to"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &runs); err != nil || len(runs) == 0 {
		t.Fatalf("runs --json: %v\n%s", err, r.stdout)
	}
	first := runs[len(runs)-1]
	if first.WindowTo == "" {
		t.Fatalf("the run history does not show the window: %+v", first)
	}
	before := batches(t, cfg)
	mustCode(t, ha(t, nil, "--config", cfg, "run", "patients-csv", "--from", first.WindowFrom, "--to", first.WindowTo), 0, "backfill")
	after := batches(t, cfg)
	if len(after) != len(before)+1 {
		t.Fatalf("backfill anchored %d batches, want 1", len(after)-len(before))
	}
	b := after[len(after)-1]
	if b.Rows+b.Rejects != first.RowsRead {
		t.Errorf("backfill batch has %d records, the original window %d", b.Rows+b.Rejects, first.RowsRead)
	}
	mustCode(t, ha(t, nil, "--config", cfg, "verify", "batch", b.BatchID), 0, "verify the backfill batch")
	r = ha(t, nil, "--config", cfg, "run", "patients-csv")
	mustCode(t, r, 0, "nightly run after a backfill")
	if !strings.Contains(r.stdout, "nothing new") {
		t.Errorf("the backfill moved the nightly watermark:\n%s", r.stdout)
	}
	// The same backfill again is idempotent: same batch id, nothing new.
	mustCode(t, ha(t, nil, "--config", cfg, "run", "patients-csv", "--from", first.WindowFrom, "--to", first.WindowTo), 0, "the same backfill twice")
	if again := batches(t, cfg); len(again) != len(after) {
		t.Errorf("repeating a backfill anchored %d more batches", len(again)-len(after))
	}
}

// TestMaxBatchRows splits a window into batches of at most max_batch_rows
// rows: every part verifies and the parts add up to the source.
func TestMaxBatchRows(t *testing.T) {
	dir, cfg := newDeployment(t)
	base := demoRecords(t, cfg)
	raw, _ := os.ReadFile(cfg)
	conf := strings.Replace(string(raw), "  - name: patients-csv\n    connector: csv\n", "  - name: patients-csv\n    connector: csv\n    max_batch_rows: 2000\n", 1)
	if conf == string(raw) {
		t.Fatal("could not set max_batch_rows in the demo config")
	}
	os.WriteFile(cfg, []byte(conf), 0o644)
	before := len(batches(t, cfg))
	dropGenerated(t, dir, "patients-split.csv", 9000, 21)
	mustCode(t, ha(t, nil, "--config", cfg, "run", "patients-csv"), 0, "run")
	list := batches(t, cfg)
	parts := list[before:]
	if len(parts) != 5 {
		t.Errorf("9000 records (about 2%% rejects) with max_batch_rows 2000 gave %d batches, want 5", len(parts))
	}
	for _, b := range parts {
		if b.Rows > 2000 {
			t.Errorf("batch %s has %d rows, over the limit", b.BatchID, b.Rows)
		}
	}
	checkExactlyOnce(t, dir, cfg, "patients-csv", base+9000)
}

// TestKilledRunRecordedCrashed kills `run` with SIGKILL while it reads:
// `runs` then shows the killed run as crashed, not running; the same
// holds when the next `run` is what finds it.
func TestKilledRunRecordedCrashed(t *testing.T) {
	dir, cfg := newDeployment(t)
	status := func() map[int64]string {
		r := ha(t, nil, "--config", cfg, "runs", "--job", "patients-csv", "--json")
		mustCode(t, r, 0, "runs")
		var runs []struct {
			ID     int64  `json:"id"`
			Status string `json:"status"`
			Error  string `json:"error"`
		}
		if err := json.Unmarshal([]byte(r.stdout), &runs); err != nil {
			t.Fatalf("runs --json: %v\n%s", err, r.stdout)
		}
		out := map[int64]string{}
		for _, run := range runs {
			out[run.ID] = run.Status
		}
		return out
	}
	kill := func(seed int) {
		dropGenerated(t, dir, fmt.Sprintf("patients-killed-%d.csv", seed), 2000, seed)
		r := ha(t, []string{"HEALTHANCHOR_CRASH_AT=reading"}, "--config", cfg, "run", "patients-csv")
		if r.code != -1 {
			t.Fatalf("run with a crash while reading: exit %d, want killed\n%s", r.code, r.stderr)
		}
	}
	kill(31)
	mustCode(t, ha(t, nil, "--config", cfg, "run", "patients-csv"), 0, "run after the crash")
	for id, s := range status() {
		if s == "running" {
			t.Errorf("run %d is still recorded running after the next run", id)
		}
	}
	crashed := 0
	kill(32)
	for _, s := range status() {
		if s == "crashed" {
			crashed++
		}
		if s == "running" {
			t.Error("`runs` shows a killed run as running")
		}
	}
	if crashed != 2 {
		t.Errorf("%d runs recorded crashed, want 2", crashed)
	}
}
