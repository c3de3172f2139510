package exchange

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/healthanchor/healthanchor/anchor"
)

var update = flag.Bool("update", false, "rewrite the golden files of testdata/")

// goldenFetch is a verified fetch of three batches of agency node1 (the
// frame of each proof as the chain would give it) whose records cover
// the mapping's cases, and one record of a schema it does not map.
func goldenFetch() Fetched {
	batch := func(id, schema string, height int64) (anchor.Manifest, anchor.Block) {
		m := anchor.Manifest{Version: 1, ChainID: "golden-chain", BatchID: id, Agency: "node1", ProducerSeq: height, Job: "his",
			Source: "csv:inbox", Schema: schema, Rows: 8, MerkleRoot: strings.Repeat(id[:1], 64),
			CreatedAt: "2026-11-30T02:00:00Z", Signature: "c2lnbmF0dXJl"}
		b := anchor.Block{Version: 1, ChainID: "golden-chain", Height: height, PrevHash: strings.Repeat("0", 64),
			Time: fmt.Sprintf("2026-11-30T02:00:%02dZ", height), Proposer: "node1", Manifests: []anchor.Manifest{m}, LogSize: height,
			LogRoot: strings.Repeat("e", 64)}
		return m, b
	}
	var ps []anchor.Proof
	add := func(m anchor.Manifest, b anchor.Block, row int64, canonical string) {
		ps = append(ps, anchor.Proof{Version: 1, ChainID: "golden-chain", Manifest: m, Block: b,
			Record: anchor.ProofRecord{Canonical: canonical, Index: row}})
	}
	pm, pb := batch("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "patient/1", 1)
	add(pm, pb, 0, `{"_schema":"patient/1","address":"12 Rue Haute, Flat 2","birth_date":"1980-02-29","city":"Lyon","country":"FR","death_date":null,"family_name":"Martin","given_name":"Anne Marie","patient_id":"P1","phone":"+33 4 00 00 00 00","postal_code":"69001","sex":"F","updated_at":"2026-11-29T10:00:00.000000Z"}`)
	add(pm, pb, 2, `{"_schema":"patient/1","address":null,"birth_date":null,"city":null,"country":null,"death_date":"2026-01-02","family_name":"Okafor","given_name":null,"patient_id":"P2","phone":null,"postal_code":null,"sex":"X","updated_at":null}`)
	em, eb := batch("bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", "encounter/1", 2)
	add(em, eb, 0, `{"_schema":"encounter/1","admit_time":"2026-11-28T08:00:00.000000Z","attending":"Dr House","class":"I","discharge_time":"2026-11-29T12:30:00.000000Z","encounter_id":"V100","event_type":"A03","location":"WARD 3","patient_id":"P1"}`)
	add(em, eb, 1, `{"_schema":"encounter/1","admit_time":"2026-11-29T08:00:00.000000Z","attending":null,"class":"E","discharge_time":null,"encounter_id":"V101","event_type":"A04","location":null,"patient_id":"P3"}`)
	add(em, eb, 3, `{"_schema":"encounter/1","admit_time":null,"attending":null,"class":"Z","discharge_time":null,"encounter_id":"V102","event_type":null,"location":null,"patient_id":"P2"}`)
	om, ob := batch("cccccccccccccccccccccccccccccccc", "observation/1", 3)
	obs := func(row int64, code, system, value, vtype, units, status, flag, order string) {
		null := func(s string) string {
			if s == "" {
				return "null"
			}
			b, _ := json.Marshal(s)
			return string(b)
		}
		add(om, ob, row, fmt.Sprintf(`{"_schema":"observation/1","abnormal_flag":%s,"code":%s,"code_system":%s,"name":"Test %s","observed_at":"2026-11-29T09:15:00.000000Z","order_id":%s,"patient_id":"P1","reference_range":%s,"status":%s,"units":%s,"value":%s,"value_type":%s}`,
			null(flag), null(code), null(system), code, null(order), null(map[bool]string{true: "3.5-5.1"}[units != ""]), null(status), null(units), null(value), null(vtype)))
	}
	obs(0, "2823-3", "LN", "4.2", "NM", "mmol/L", "F", "N", "ORD1")
	obs(1, "1988-5", "LN", "<5", "SN", "mg/L", "P", "", "")
	obs(2, "260373001", "SCT", "260373001", "CWE", "", "C", "A", "")
	obs(3, "X-LOCAL", "L", "positive", "NM", "", "Q", "H", "")
	obs(4, "DT1", "LN", "2026-11-29", "DT", "", "W", "", "")
	obs(5, "TX1", "", "see report", "TX", "", "", "", "")
	obs(6, "EMPTY", "LN", "", "", "", "I", "", "")
	xm, xb := batch("dddddddddddddddddddddddddddddddd", "order/1", 4)
	add(xm, xb, 0, `{"_schema":"order/1","order_id":"ORD1","patient_id":"P1"}`)
	return Fetched{Source: "node1", Proofs: ps}
}

// TestFHIRGolden renders goldenFetch and compares the files Write puts
// under fhir/ with testdata/fhir-golden (go test -run TestFHIRGolden
// ./exchange -update rewrites them; cmd/healthanchor's
// TestFetchFHIRGoldenValidates runs the npm fhir validator on them).
// It also checks what a golden file cannot show by itself: every
// resource of a batch is a target of that batch's Provenance, subjects
// point to a Patient of the output when there is one, and the record of
// an unmapped schema is counted, not lost.
func TestFHIRGolden(t *testing.T) {
	got := goldenFetch()
	f, err := RenderFHIR(got)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "out")
	if err := Write(out, got, Output{FHIR: &f, Request: "healthanchor fetch --from node1 --patient P1 --purpose TREAT --format fhir",
		Now: time.Date(2026, 11, 30, 3, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "fhir-golden")
	names := []string{"manifest.json", "Patient.ndjson", "Encounter.ndjson", "Observation.ndjson", "Provenance.ndjson"}
	for _, name := range names {
		data, err := os.ReadFile(filepath.Join(out, FHIRDir, name))
		if err != nil {
			t.Fatal(err)
		}
		if *update {
			if err := os.MkdirAll(golden, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(golden, name), data, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(filepath.Join(golden, name))
		if err != nil {
			t.Fatalf("%v (run with -update to create it)", err)
		}
		if !bytes.Equal(data, want) {
			t.Errorf("%s differs from %s:\ngot:\n%s\nwant:\n%s", name, filepath.Join(golden, name), data, want)
		}
	}
	if f.Unmapped["order/1"] != 1 || len(f.Unmapped) != 1 {
		t.Errorf("unmapped records %v, want the order/1 record", f.Unmapped)
	}
	if n := len(f.Resources["Patient"]) + len(f.Resources["Encounter"]) + len(f.Resources["Observation"]); n != len(got.Proofs)-1 {
		t.Errorf("%d resources for %d mapped records", n, len(got.Proofs)-1)
	}
	targets := map[string]string{}
	for _, line := range readLines(t, filepath.Join(out, FHIRDir, "Provenance.ndjson")) {
		var p struct {
			Target []struct{ Reference string }
			Entity []struct {
				What struct {
					Identifier struct{ System, Value string }
				}
			}
		}
		json.Unmarshal([]byte(line), &p)
		for _, tg := range p.Target {
			targets[tg.Reference] = p.Entity[0].What.Identifier.Value
		}
	}
	for _, typ := range []string{"Patient", "Encounter", "Observation"} {
		for _, line := range readLines(t, filepath.Join(out, FHIRDir, typ+".ndjson")) {
			var r struct {
				ID      string
				Subject *struct{ Reference string }
			}
			json.Unmarshal([]byte(line), &r)
			if b := targets[typ+"/"+r.ID]; b == "" || !strings.HasPrefix(r.ID, b+"-") {
				t.Errorf("%s/%s is not a target of its batch's Provenance (%q)", typ, r.ID, b)
			}
			if r.Subject != nil && r.Subject.Reference != "" && targets[r.Subject.Reference] == "" {
				t.Errorf("%s/%s refers to %s, which the output does not hold", typ, r.ID, r.Subject.Reference)
			}
		}
	}
}

func readLines(t *testing.T, path string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
}
