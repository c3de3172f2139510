package main

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// setRetention gives job a retention: key (after its name line), or
// removes it when period is "". It returns the key's line and the column
// of its value.
func setRetention(t *testing.T, cfg, job, period string) (line, col int) {
	t.Helper()
	data, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	in := false
	for _, l := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), "- name: ") {
			in = strings.TrimSpace(l) == "- name: "+job
		}
		if in && strings.HasPrefix(strings.TrimSpace(l), "retention:") {
			continue
		}
		out = append(out, l)
		if in && strings.TrimSpace(l) == "- name: "+job && period != "" {
			out = append(out, "    retention: "+period)
			line, col = len(out), len("    retention: ")+1
		}
	}
	if err := os.WriteFile(cfg, []byte(strings.Join(out, "\n")), 0o600); err != nil {
		t.Fatal(err)
	}
	return line, col
}

// sqlCount runs a COUNT query on the SQLite file at path.
func sqlCount(t *testing.T, path, query string, args ...any) int {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// TestRetentionConfigErrors: a retention shorter than a day or that does
// not parse is a config check error naming the file, line and column.
func TestRetentionConfigErrors(t *testing.T) {
	_, cfg := newDeployment(t)
	for _, c := range []struct{ period, want string }{
		{"12h", "whole number of years or days"},
		{"0d", "shorter than a day"},
		{"ten", "whole number of years or days"},
	} {
		line, col := setRetention(t, cfg, "patients-csv", c.period)
		r := ha(t, nil, "--config", cfg, "config", "check")
		mustCode(t, r, 2, "config check with retention "+c.period)
		at := fmt.Sprintf("healthanchor.yaml:%d:%d: job \"patients-csv\": retention %q", line, col, c.period)
		if !strings.Contains(r.stderr, at) || !strings.Contains(r.stderr, c.want) {
			t.Errorf("retention %s: the error does not say %q and %q:\n%s", c.period, at, c.want, r.stderr)
		}
	}
	setRetention(t, cfg, "patients-csv", "10y")
	mustCode(t, ha(t, nil, "--config", cfg, "config", "check"), 0, "config check with retention 10y")
}

// TestRetentionApply ages the demo's batches past their jobs' retention
// with the test clock, and checks through the CLI: a dry run lists and
// changes nothing; apply anchors one retention entry per batch, removes
// its files and forgets it in the patient index; verify batch then says
// the file was removed under retention at the entry's block (exit 0),
// while a file deleted by hand without an entry still fails (exit 1); a
// second apply does nothing, and an apply killed between anchoring and
// removing is finished by the next without anchoring twice.
func TestRetentionApply(t *testing.T) {
	dir, cfg := newDeployment(t)
	ids := map[string][]listed{}
	for _, b := range batches(t, cfg) {
		ids[b.Job] = append(ids[b.Job], b)
	}
	patients, encounters := ids["patients-csv"][0], ids["legacy-encounters"][0]
	setRetention(t, cfg, "patients-csv", "10y")
	setRetention(t, cfg, "legacy-encounters", "400d")
	chainDB, indexDB := filepath.Join(dir, "chain.db"), filepath.Join(dir, "patients.db")
	height := func() int { return sqlCount(t, chainDB, `SELECT MAX(height) FROM blocks`) }
	retentionEntries := func() int { return sqlCount(t, chainDB, `SELECT COUNT(*) FROM entries WHERE kind = 'retention'`) }
	at := func(d time.Duration) []string {
		return []string{clockEnv + "=" + time.Now().Add(d).UTC().Format(time.RFC3339)}
	}
	day := 24 * time.Hour
	h0 := height()

	r := ha(t, nil, "--config", cfg, "retention", "apply", "--dry-run")
	mustCode(t, r, 0, "dry run now")
	if !strings.Contains(r.stdout, "nothing is past its retention") {
		t.Errorf("dry run now: %s", r.stdout)
	}
	r = ha(t, at(401*day), "--config", cfg, "retention", "apply", "--dry-run")
	mustCode(t, r, 0, "dry run in 401 days")
	if !strings.Contains(r.stdout, "WOULD REMOVE: batch "+encounters.BatchID) || strings.Contains(r.stdout, patients.BatchID) ||
		!strings.Contains(r.stdout, "1 batch(es) past their retention") {
		t.Errorf("dry run in 401 days does not list exactly the encounters batch:\n%s", r.stdout)
	}
	if _, err := os.Stat(encounters.ParquetPath); err != nil || height() != h0 {
		t.Fatalf("a dry run removed or anchored something: %v, height %d -> %d", err, h0, height())
	}

	in11y := at(11 * 366 * day)
	r = ha(t, in11y, "--config", cfg, "retention", "apply")
	mustCode(t, r, 0, "apply in 11 years")
	if !strings.Contains(r.stdout, "OK: 2 batch(es) removed under retention") {
		t.Errorf("apply says:\n%s", r.stdout)
	}
	if got := retentionEntries(); got != 2 || height() != h0+2 {
		t.Errorf("%d retention entries in %d blocks, want 2 in 2", got, height()-h0)
	}
	for _, b := range []listed{patients, encounters} {
		for _, p := range []string{b.ParquetPath, b.RejectsPath} {
			if _, err := os.Stat(p); !os.IsNotExist(err) {
				t.Errorf("%s is still there (%v)", p, err)
			}
		}
		if n := sqlCount(t, indexDB, `SELECT COUNT(*) FROM batches WHERE batch_id = ?`, b.BatchID); n != 0 {
			t.Errorf("the patient index still lists batch %s", b.BatchID)
		}
		r = ha(t, nil, "--config", cfg, "verify", "batch", b.BatchID)
		mustCode(t, r, 0, "verify batch of a retained batch")
		if !strings.Contains(r.stdout, "removed under retention") || !strings.Contains(r.stdout, fmt.Sprintf("by the entry in block %d", h0+1)) &&
			!strings.Contains(r.stdout, fmt.Sprintf("by the entry in block %d", h0+2)) {
			t.Errorf("verify batch %s does not name the retention entry's block:\n%s", b.BatchID, r.stdout)
		}
	}
	if n := sqlCount(t, indexDB, `SELECT COUNT(*) FROM patient_buckets`); n == 0 {
		t.Error("the patient index forgot the batches still kept")
	}
	if n := sqlCount(t, indexDB, `SELECT COUNT(*) FROM patient_buckets WHERE batch_no NOT IN (SELECT batch_no FROM batches)`); n != 0 {
		t.Errorf("the patient index still holds %d rows of removed batches", n)
	}
	mustCode(t, ha(t, nil, "--config", cfg, "verify", "batch", "--all"), 0, "verify batch --all")
	mustCode(t, ha(t, nil, "--config", cfg, "verify", "chain"), 0, "verify chain")

	r = ha(t, in11y, "--config", cfg, "retention", "apply")
	mustCode(t, r, 0, "apply again")
	if !strings.Contains(r.stdout, "nothing is past its retention") || retentionEntries() != 2 {
		t.Errorf("a second apply did something (%d entries):\n%s", retentionEntries(), r.stdout)
	}

	t.Run("deleted by hand", func(t *testing.T) {
		legacy := ids["registry-legacy-csv"][0]
		if err := os.Remove(legacy.ParquetPath); err != nil {
			t.Fatal(err)
		}
		r := ha(t, nil, "--config", cfg, "verify", "batch", legacy.BatchID)
		mustCode(t, r, 1, "verify batch of a file deleted without an entry")
		if !strings.Contains(r.stderr, legacy.ParquetPath) {
			t.Errorf("verify batch does not name the missing file:\n%s", r.stderr)
		}
		mustCode(t, ha(t, nil, "--config", cfg, "verify", "batch", "--all"), 1, "verify batch --all with a file deleted without an entry")
	})

	t.Run("killed between anchoring and removing", func(t *testing.T) {
		hl7 := ids["hl7-feed"]
		setRetention(t, cfg, "hl7-feed", "1d")
		before := retentionEntries()
		r := ha(t, append(at(2*day), crashAtEnv+"=retention-anchored"), "--config", cfg, "retention", "apply")
		if r.code == 0 {
			t.Fatalf("apply was not killed:\n%s", r.stdout)
		}
		if got := retentionEntries(); got != before+1 {
			t.Fatalf("%d retention entries after the kill, want %d", got, before+1)
		}
		r = ha(t, at(2*day), "--config", cfg, "retention", "apply")
		mustCode(t, r, 0, "apply after the kill")
		if !strings.Contains(r.stdout, "finished the removal under the retention entry") ||
			!strings.Contains(r.stdout, fmt.Sprintf("OK: %d batch(es) removed", len(hl7))) {
			t.Errorf("apply after the kill says:\n%s", r.stdout)
		}
		if got := retentionEntries(); got != before+len(hl7) {
			t.Errorf("%d retention entries, want %d: one per batch", got, before+len(hl7))
		}
		for _, b := range hl7 {
			if _, err := os.Stat(b.ParquetPath); !os.IsNotExist(err) {
				t.Errorf("%s is still there (%v)", b.ParquetPath, err)
			}
			mustCode(t, ha(t, nil, "--config", cfg, "verify", "batch", b.BatchID), 0, "verify batch "+b.BatchID)
		}
	})
}

// TestServeAppliesRetention: serve applies the jobs' retention when it
// starts (and daily after), anchoring the entry before it removes the
// files.
func TestServeAppliesRetention(t *testing.T) {
	dir, cfg := newDeployment(t)
	var patients listed
	for _, b := range batches(t, cfg) {
		if b.Job == "patients-csv" {
			patients = b
		}
	}
	setRetention(t, cfg, "patients-csv", "10y")
	raw, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	conf := strings.Replace(string(raw), "timezone: Europe/Paris", fmt.Sprintf("timezone: Europe/Paris\nlisten: 127.0.0.1:%d", freePort(t)), 1)
	if err := os.WriteFile(cfg, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv(clockEnv, time.Now().Add(11*366*24*time.Hour).UTC().Format(time.RFC3339))
	srv, logs := startServe(t, cfg)
	waitFor(t, logs, "retention: batch files removed", 30*time.Second)
	srv.Process.Kill()
	srv.Wait()
	if _, err := os.Stat(patients.ParquetPath); !os.IsNotExist(err) {
		t.Errorf("%s is still there (%v)", patients.ParquetPath, err)
	}
	if n := sqlCount(t, filepath.Join(dir, "chain.db"), `SELECT COUNT(*) FROM entries WHERE kind = 'retention'`); n != 1 {
		t.Errorf("%d retention entries, want 1", n)
	}
	r := ha(t, nil, "--config", cfg, "verify", "batch", patients.BatchID)
	mustCode(t, r, 0, "verify batch after serve's retention")
	if !strings.Contains(r.stdout, "removed under retention (10y)") {
		t.Errorf("verify batch says:\n%s", r.stdout)
	}
}
