package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPreviewJob: preview --job reads what the job's next run reads, with
// the job's options and the config's zone, and --set overrides an option
// with a list.
func TestPreviewJob(t *testing.T) {
	dir, cfg := newDeployment(t)

	r := ha(t, nil, "--config", cfg, "preview", "--job", "patients-csv")
	mustCode(t, r, 0, "preview of an up-to-date job")
	if r.stdout != "" || !strings.Contains(r.stderr, "nothing new") {
		t.Errorf("an up-to-date job previewed rows:\n%s\n%s", r.stdout, r.stderr)
	}

	drop := filepath.Join(dir, "inbox/csv/patients-new.csv")
	body := "patient_id,family_name,birth_date,updated_at\n" +
		"N1,Lind,1970-01-31,2026-11-25 08:00:00\n"
	if err := os.WriteFile(drop, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	r = ha(t, nil, "--config", cfg, "preview", "--job", "patients-csv")
	mustCode(t, r, 0, "preview of a pending file")
	// The demo config's zone is not UTC: the naive 08:00 is moved.
	if !strings.Contains(r.stdout, `"patient_id":"N1"`) || strings.Contains(r.stdout, `"updated_at":"2026-11-25T08:00:00.000000Z"`) {
		t.Errorf("preview --job did not read the pending file in the config's zone:\n%s", r.stdout)
	}
	if n := strings.Count(r.stdout, "\n"); n != 1 {
		t.Errorf("preview --job printed %d rows, want the 1 pending", n)
	}

	us := filepath.Join(dir, "us.csv")
	if err := os.WriteFile(us, []byte("patient_id,birth_date\nU1,03/04/1990\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r = ha(t, nil, "--config", cfg, "preview", "--job", "patients-csv", "--set", `date_formats=["01/02/2006"]`, us)
	mustCode(t, r, 0, "preview with a list option")
	if !strings.Contains(r.stdout, `"birth_date":"1990-03-04"`) {
		t.Errorf("--set date_formats as a list was not applied:\n%s\n%s", r.stdout, r.stderr)
	}
	mustCode(t, ha(t, nil, "--config", cfg, "preview", "--job", "no-such-job"), 2, "preview of an unknown job")
	mustCode(t, ha(t, nil, "--config", cfg, "preview", "--job", "patients-csv", "--set", `date_formats=["x"`), 2, "preview with a broken list")

	// A control character is a reject in preview as in run.
	nul := filepath.Join(dir, "nul.csv")
	if err := os.WriteFile(nul, []byte("patient_id,family_name\nA,Do\x00e\nB,Smith\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r = ha(t, nil, "preview", "--connector", "csv", nul)
	mustCode(t, r, 0, "preview of a NUL byte")
	if strings.Contains(r.stdout, `"patient_id":"A"`) || !strings.Contains(r.stderr, "control character U+0000") {
		t.Errorf("preview kept a NUL byte:\n%s\n%s", r.stdout, r.stderr)
	}

	// Nothing was remembered: the run still takes the file.
	before := len(batches(t, cfg))
	mustCode(t, ha(t, nil, "--config", cfg, "run", "patients-csv"), 0, "run after preview")
	after := batches(t, cfg)
	if len(after) != before+1 || after[len(after)-1].Rows != 1 {
		t.Errorf("the run after preview anchored %d batches (last %+v), want 1 of 1 row", len(after)-before, after[len(after)-1])
	}
}
