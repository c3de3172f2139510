package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDayMonthOrderNeverGuessed: a US date under the default formats is a
// reject that says how to choose the order; a job listing both orders gets
// a warning from config check with its line, and a value both orders read
// differently is a reject naming the two readings, not a guess.
func TestDayMonthOrderNeverGuessed(t *testing.T) {
	dir := t.TempDir()
	csvFile := filepath.Join(dir, "patients.csv")
	data := "patient_id,family_name,birth_date,updated_at\n" +
		"U1,Smith,12/01/1985,2026-11-25T08:00:00Z\n" +
		"U2,Jones,1985-01-12,2026-11-25T08:00:00Z\n"
	if err := os.WriteFile(csvFile, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	r := ha(t, nil, "preview", "--connector", "csv", "--set", "schema=patient/1", csvFile)
	mustCode(t, r, 0, "preview under the default date formats")
	if strings.Contains(r.stdout, "1985-12-01") || strings.Contains(r.stdout, `"patient_id":"U1"`) {
		t.Errorf("12/01/1985 was read under the default formats:\n%s", r.stdout)
	}
	if !strings.Contains(r.stderr, `"12/01/1985" is not a date`) || !strings.Contains(r.stderr, "never guessed") {
		t.Errorf("the reject does not say the order must be configured:\n%s", r.stderr)
	}
	if strings.Count(r.stderr, csvFile+":2") != 1 {
		t.Errorf("the reject repeats its FILE:LINE prefix:\n%s", r.stderr)
	}
	if !strings.Contains(r.stdout, `"birth_date":"1985-01-12"`) {
		t.Errorf("the ISO row is missing:\n%s", r.stdout)
	}

	_, cfg := newDeployment(t)
	text, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	mixed := strings.Replace(string(text), `date_formats: ["02/01/2006"]`, `date_formats: ["02/01/2006", "01/02/2006"]`, 1)
	if mixed == string(text) {
		t.Fatal("the demo config no longer sets date_formats for the legacy job")
	}
	if err := os.WriteFile(cfg, []byte(mixed), 0o600); err != nil {
		t.Fatal(err)
	}
	r = ha(t, nil, "--config", cfg, "config", "check")
	mustCode(t, r, 0, "config check with both orders")
	if !strings.Contains(r.stderr, "healthanchor.yaml:") || !strings.Contains(r.stderr, "opposite orders") || !strings.Contains(r.stderr, "registry-legacy-csv") {
		t.Errorf("config check gave no warning naming the job and line:\n%s", r.stderr)
	}
}
