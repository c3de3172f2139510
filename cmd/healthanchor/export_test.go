package main

import (
	"bufio"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/healthanchor/healthanchor/internal/testtool"
)

// fhirValidator returns the command that runs tools/validate-fhir.mjs
// (the npm fhir package, installed in bench/ by .ci/run) on dir.
func fhirValidator(t *testing.T) func(dir string) *exec.Cmd {
	t.Helper()
	node, err := exec.LookPath("node")
	pkg := filepath.Join("..", "..", "bench", "node_modules", "fhir")
	if _, serr := os.Stat(pkg); err != nil || serr != nil {
		testtool.Missing(t, "node or the npm fhir package", "run `npm install` in bench/ (.ci/run does)")
	}
	return func(dir string) *exec.Cmd {
		return exec.Command(node, filepath.Join("..", "..", "tools", "validate-fhir.mjs"), dir)
	}
}

// TestExportFHIR exports the demo's provenance and checks it with the
// outside FHIR validator, the Bulk Data manifest against the files, one
// Provenance per anchored batch with the manifest's signature, one
// AuditEvent per run and per re-verification (erasure events: TestExportFHIRErasureEvent); then a tampered batch
// file gives a failed verification event and exit 1, and a broken line
// fails the validator.
func TestExportFHIR(t *testing.T) {
	validate := fhirValidator(t)
	_, cfg := newDeployment(t)
	out := filepath.Join(t.TempDir(), "fhir")
	r := ha(t, nil, "--config", cfg, "export", "fhir", "--out", out)
	mustCode(t, r, 0, "export fhir")
	if v, err := validate(out).CombinedOutput(); err != nil {
		t.Fatalf("the FHIR validator refuses the export: %v\n%s", err, v)
	}

	var man struct {
		Request string `json:"request"`
		Output  []struct {
			Type, URL string
			Count     int
		} `json:"output"`
	}
	readJSON(t, filepath.Join(out, "manifest.json"), &man)
	counts := map[string]int{}
	for _, o := range man.Output {
		counts[o.Type] = o.Count
	}
	list := batches(t, cfg)
	if counts["Provenance"] != len(list) || counts["DocumentReference"] != len(list) {
		t.Errorf("manifest counts %v, want %d Provenance and DocumentReference (one per batch)", counts, len(list))
	}
	prov := ndjson(t, filepath.Join(out, "Provenance.ndjson"))
	sigs := map[string]string{}
	for _, p := range prov {
		target := p["target"].([]any)[0].(map[string]any)["reference"].(string)
		sigs[strings.TrimPrefix(target, "DocumentReference/")] = p["signature"].([]any)[0].(map[string]any)["data"].(string)
	}
	for _, b := range list {
		r := ha(t, nil, "--config", cfg, "verify", "batch", b.BatchID, "--json")
		mustCode(t, r, 0, "verify batch")
		if sigs[b.BatchID] == "" {
			t.Errorf("batch %s has no Provenance", b.BatchID)
		}
	}
	events := ndjson(t, filepath.Join(out, "AuditEvent.ndjson"))
	kinds := map[string]int{}
	for _, e := range events {
		kinds[e["subtype"].([]any)[0].(map[string]any)["code"].(string)]++
		if e["outcome"] != "0" {
			t.Errorf("event %v: outcome %v on an untouched deployment", e["id"], e["outcome"])
		}
	}
	runs := ha(t, nil, "--config", cfg, "runs", "--json")
	mustCode(t, runs, 0, "runs")
	var runList []any
	if err := json.Unmarshal([]byte(runs.stdout), &runList); err != nil {
		t.Fatal(err)
	}
	if kinds["anchor"] != len(runList) || kinds["verify-chain"] != 1 || kinds["verify-batch"] < len(list) {
		t.Errorf("event kinds %v: want %d anchor (one per run), 1 verify-chain, at least %d verify-batch", kinds, len(runList), len(list))
	}

	t.Run("period with nothing", func(t *testing.T) {
		empty := filepath.Join(t.TempDir(), "empty")
		mustCode(t, ha(t, nil, "--config", cfg, "export", "fhir", "--out", empty, "--to", "2000-01-01"), 0, "export of an empty period")
		var m struct{ Output []any }
		readJSON(t, filepath.Join(empty, "manifest.json"), &m)
		// The re-verification of the chain is still an event.
		if len(m.Output) != 1 {
			t.Errorf("empty period: %d output files, want 1 (the chain's verification)", len(m.Output))
		}
	})
	t.Run("bad dates", func(t *testing.T) {
		mustCode(t, ha(t, nil, "--config", cfg, "export", "fhir", "--out", out, "--from", "yesterday"), 2, "bad --from")
		mustCode(t, ha(t, nil, "--config", cfg, "export", "fhir"), 2, "no --out")
	})
	t.Run("tampered file", func(t *testing.T) {
		b := list[0]
		data, err := os.ReadFile(b.ParquetPath)
		if err != nil {
			t.Fatal(err)
		}
		defer os.WriteFile(b.ParquetPath, data, 0o600)
		bad := append([]byte(nil), data...)
		bad[len(bad)/2] ^= 1
		os.WriteFile(b.ParquetPath, bad, 0o600)
		dir := filepath.Join(t.TempDir(), "tampered")
		mustCode(t, ha(t, nil, "--config", cfg, "export", "fhir", "--out", dir), 1, "export with a tampered file")
		failed := 0
		for _, e := range ndjson(t, filepath.Join(dir, "AuditEvent.ndjson")) {
			if e["outcome"] == "8" {
				failed++
				if desc := e["outcomeDesc"].(string); !strings.Contains(desc, "sha256") && !strings.Contains(desc, "decode") {
					t.Errorf("failed event does not say what differs: %v", e["outcomeDesc"])
				}
			}
		}
		if failed != 1 {
			t.Errorf("%d events with outcome 8, want 1", failed)
		}
		if v, err := validate(dir).CombinedOutput(); err != nil {
			t.Fatalf("the FHIR validator refuses the export: %v\n%s", err, v)
		}
	})
	t.Run("the validator refuses a broken resource", func(t *testing.T) {
		path := filepath.Join(out, "AuditEvent.ndjson")
		data, _ := os.ReadFile(path)
		os.WriteFile(path, []byte(strings.Replace(string(data), `"outcome":"0"`, `"outcome":"9"`, 1)), 0o644)
		v, err := validate(out).CombinedOutput()
		if err == nil || !strings.Contains(string(v), "AuditEvent.outcome") {
			t.Fatalf("validator accepted outcome 9: %v\n%s", err, v)
		}
	})
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

func ndjson(t *testing.T, path string) []map[string]any {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []map[string]any
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		out = append(out, m)
	}
	return out
}

// TestExportFHIRErasureEvent erases a patient, then exports: the export
// still passes the outside validator and holds one erasure AuditEvent
// (DICOM Patient Record, action D, the reason and request in its
// description, the erased batches as entities) that names no patient.
func TestExportFHIRErasureEvent(t *testing.T) {
	validate := fhirValidator(t)
	dir, cfg := newDeployment(t)
	patient := widePatients(t, dir, 1)[0]
	mustCode(t, ha(t, nil, "--config", cfg, "erase", "--patient", patient, "--reason", "gdpr-art17", "--request", "DPO-7"), 0, "erase")
	out := filepath.Join(t.TempDir(), "fhir")
	mustCode(t, ha(t, nil, "--config", cfg, "export", "fhir", "--out", out), 0, "export fhir")
	if v, err := validate(out).CombinedOutput(); err != nil {
		t.Fatalf("the FHIR validator refuses the export: %v\n%s", err, v)
	}
	raw, err := os.ReadFile(filepath.Join(out, "AuditEvent.ndjson"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(raw), patient) {
		t.Errorf("the AuditEvents name the erased patient %s", patient)
	}
	var erasures []map[string]any
	for _, e := range ndjson(t, filepath.Join(out, "AuditEvent.ndjson")) {
		if e["subtype"].([]any)[0].(map[string]any)["code"] == "erase" {
			erasures = append(erasures, e)
		}
	}
	if len(erasures) != 1 {
		t.Fatalf("%d erasure AuditEvents, want 1", len(erasures))
	}
	e := erasures[0]
	desc, _ := e["outcomeDesc"].(string)
	if e["action"] != "D" || e["type"].(map[string]any)["code"] != "110110" || !strings.Contains(desc, "gdpr-art17") || !strings.Contains(desc, "DPO-7") {
		t.Errorf("erasure AuditEvent %v", e)
	}
	if ents, _ := e["entity"].([]any); len(ents) == 0 {
		t.Errorf("erasure AuditEvent names no batch: %v", e)
	}
}
