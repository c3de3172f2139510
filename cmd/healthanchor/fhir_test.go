package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestFHIRNDJSON anchors the example Bulk Data export into patient/1,
// encounter/1 and observation/1, with its bad resources as rejects, and
// takes nothing twice.
func TestFHIRNDJSON(t *testing.T) {
	dir, cfg := newDeployment(t)
	inbox := filepath.Join(dir, "inbox/fhir")
	os.MkdirAll(inbox, 0o755)
	src := "../../connectors/fhirndjson/testdata/export"
	entries, _ := os.ReadDir(src)
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".ndjson") {
			b, _ := os.ReadFile(filepath.Join(src, e.Name()))
			os.WriteFile(filepath.Join(inbox, e.Name()), b, 0o644)
		}
	}
	raw, _ := os.ReadFile(cfg)
	os.WriteFile(cfg, append(raw, []byte(`
  - name: ehr-fhir
    connector: fhir-ndjson
    options:
      input: inbox/fhir/*.ndjson
      source: ehr-bulk
      identifier_system: http://hospital.example.org/mrn
`)...), 0o644)
	r := ha(t, nil, "--config", cfg, "preview", "--job", "ehr-fhir")
	mustCode(t, r, 0, "preview")
	if n := strings.Count(r.stdout, "\n"); n != 8 {
		t.Errorf("preview printed %d rows, want 8:\n%s", n, r.stdout)
	}
	if !strings.Contains(r.stderr, "Patient.gender") {
		t.Errorf("preview does not show the reject reasons:\n%s", r.stderr)
	}
	mustCode(t, ha(t, nil, "--config", cfg, "run", "ehr-fhir"), 0, "run")
	got := map[string]int64{}
	var rejects int64
	for _, b := range batches(t, cfg) {
		if b.Job == "ehr-fhir" {
			got[b.Schema] += b.Rows
			rejects += b.Rejects
		}
	}
	if got["patient/1"] != 3 || got["encounter/1"] != 2 || got["observation/1"] != 3 || rejects != 7 {
		t.Errorf("anchored %v rows and %d rejects, want 3 patients, 2 encounters, 3 observations, 7 rejects", got, rejects)
	}
	mustCode(t, ha(t, nil, "--config", cfg, "verify", "chain"), 0, "verify chain")
	r = ha(t, nil, "--config", cfg, "run", "ehr-fhir")
	mustCode(t, r, 0, "second run")
	if !strings.Contains(r.stdout, "nothing new") {
		t.Errorf("a second run found something new:\n%s", r.stdout)
	}
}
