package main

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRejectsCommand: every reject of the demo's batches is counted and
// listed with its source_ref; values stay masked unless asked for.
func TestRejectsCommand(t *testing.T) {
	_, cfg := newDeployment(t)
	want := 0
	for _, b := range batches(t, cfg) {
		want += int(b.Rejects)
	}
	if want == 0 {
		t.Fatal("the demo anchored no rejects: nothing to test")
	}

	r := ha(t, nil, "--config", cfg, "rejects", "--json")
	mustCode(t, r, 0, "rejects --json")
	var out struct {
		Total   int            `json:"total"`
		Reasons map[string]int `json:"reasons"`
		Rejects []struct {
			BatchID   string `json:"batch_id"`
			SourceRef string `json:"source_ref"`
			Reason    string `json:"reason"`
			Raw       string `json:"raw"`
		} `json:"rejects"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatalf("rejects --json: %v\n%s", err, r.stdout)
	}
	sum := 0
	for _, n := range out.Reasons {
		sum += n
	}
	if out.Total != want || sum != want || len(out.Rejects) != want {
		t.Fatalf("rejects: total %d, reasons sum %d, listed %d; the batches hold %d", out.Total, sum, len(out.Rejects), want)
	}
	for _, rj := range out.Rejects {
		if rj.SourceRef == "" || rj.Raw != "" || strings.Contains(rj.Reason, "0000-00-00") {
			t.Errorf("reject %+v: want a source_ref and masked values", rj)
		}
	}

	r = ha(t, nil, "--config", cfg, "rejects", "--reason", "is not a date", "--show-values")
	mustCode(t, r, 0, "rejects --show-values")
	if !strings.Contains(r.stdout, "0000-00-00") || !strings.Contains(r.stdout, "raw: ") {
		t.Errorf("--show-values does not show the values:\n%s", r.stdout)
	}

	file := filepath.Join(t.TempDir(), "rejects.csv")
	mustCode(t, ha(t, nil, "--config", cfg, "rejects", "--job", "legacy-patients", "--csv", file), 0, "rejects --csv")
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) < 2 || recs[0][0] != "batch_id" {
		t.Fatalf("--csv wrote %d records: %v", len(recs), recs)
	}
	for _, rec := range recs[1:] {
		if rec[1] != "legacy-patients" {
			t.Errorf("--job legacy-patients listed a reject of job %s", rec[1])
		}
	}
	mustCode(t, ha(t, nil, "--config", cfg, "rejects", "--job", "nope"), 2, "rejects of an unknown job")
}
