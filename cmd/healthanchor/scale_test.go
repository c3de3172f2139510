package main

import (
	"os"
	"strconv"
	"strings"
	"testing"
)

// setJobSizes sets the demo patients-csv job's batch_rows (rows per
// record batch and Parquet row group) and max_batch_rows in cfg, so that a
// file of a few ten thousand rows makes several row groups and batches.
func setJobSizes(t *testing.T, cfg string, batchRows, maxBatchRows int) {
	t.Helper()
	raw, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	const job = "  - name: patients-csv\n    connector: csv\n"
	conf := strings.Replace(string(raw), job, job+
		"    batch_rows: "+strconv.Itoa(batchRows)+"\n    max_batch_rows: "+strconv.Itoa(maxBatchRows)+"\n", 1)
	if conf == string(raw) {
		t.Fatal("could not set batch_rows and max_batch_rows in the demo config")
	}
	if err := os.WriteFile(cfg, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestCrashMatrixRowGroups is TestCrashMatrix on a larger window: 60,000
// records in row groups of 4,096 rows and batches of at most 25,000, with
// a kill also just after the first batch of the window is closed, while
// the next is being written.
func TestCrashMatrixRowGroups(t *testing.T) {
	const rows = 60000
	for _, step := range []string{"part-closed", "written", "anchored", "published"} {
		t.Run(step, func(t *testing.T) {
			dir, cfg := newDeployment(t)
			base := demoRecords(t, cfg)
			setJobSizes(t, cfg, 4096, 25000)
			before := len(batches(t, cfg))
			dropGenerated(t, dir, "patients-crash.csv", rows, 8)
			r := ha(t, []string{"HEALTHANCHOR_CRASH_AT=" + step}, "--config", cfg, "run", "patients-csv")
			if r.code != -1 {
				t.Fatalf("run with a crash at %s: exit %d, want killed\n%s", step, r.code, r.stderr)
			}
			mustCode(t, ha(t, nil, "--config", cfg, "run", "patients-csv"), 0, "run after the crash")
			checkExactlyOnce(t, dir, cfg, "patients-csv", base+rows)
			if got := len(batches(t, cfg)) - before; got != 3 {
				t.Errorf("%d records (about 2%% rejects) with max_batch_rows 25000 gave %d batches, want 3", rows, got)
			}
			r = ha(t, nil, "--config", cfg, "run", "patients-csv")
			mustCode(t, r, 0, "third run")
			if !strings.Contains(r.stdout, "nothing new") {
				t.Errorf("a third run found something new:\n%s", r.stdout)
			}
		})
	}
}
