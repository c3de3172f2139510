package main

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// TestFetchFHIRGoldenValidates runs the outside FHIR validator on the
// golden rendering of exchange's TestFHIRGolden (every mapping case of
// patient/1, encounter/1 and observation/1, which exchange's test keeps
// equal to what fetch --format fhir writes).
func TestFetchFHIRGoldenValidates(t *testing.T) {
	validate := fhirValidator(t)
	golden := filepath.Join("..", "..", "exchange", "testdata", "fhir-golden")
	if out, err := validate(golden).CombinedOutput(); err != nil {
		t.Fatalf("the FHIR validator refuses the golden rendering: %v\n%s", err, out)
	}
}

// checkFetchedFHIR checks the FHIR output of a one-record patient fetch
// in out: the outside validator accepts it; its Provenance names the
// source agency, the batch, the Merkle root and the block of the record's
// proof bundle; and the fhir-ndjson connector reads the Patient back to
// the columns of the canonical record that was fetched.
func checkFetchedFHIR(t *testing.T, cfg, out, proofFile string) {
	t.Helper()
	validate := fhirValidator(t)
	dir := filepath.Join(out, "fhir")
	if v, err := validate(dir).CombinedOutput(); err != nil {
		t.Fatalf("the FHIR validator refuses the fetch's output: %v\n%s", err, v)
	}
	var proof struct {
		Record   struct{ Canonical string }
		Manifest struct {
			BatchID    string `json:"batch_id"`
			Agency     string
			MerkleRoot string `json:"merkle_root"`
		}
		Block struct{ Height int64 }
	}
	readJSON(t, proofFile, &proof)
	provs := ndjson(t, filepath.Join(dir, "Provenance.ndjson"))
	if len(provs) != 1 {
		t.Fatalf("%d Provenance resources, want 1", len(provs))
	}
	named := map[string]string{}
	for _, e := range provs[0]["entity"].([]any) {
		id := e.(map[string]any)["what"].(map[string]any)["identifier"].(map[string]any)
		named[id["system"].(string)] = id["value"].(string)
	}
	who := provs[0]["agent"].([]any)[0].(map[string]any)["who"].(map[string]any)["identifier"].(map[string]any)["value"]
	want := map[string]string{"urn:healthanchor:batch": proof.Manifest.BatchID, "urn:healthanchor:merkle-root": proof.Manifest.MerkleRoot,
		"urn:healthanchor:block": fmt.Sprint(proof.Block.Height)}
	for sys, v := range want {
		if named[sys] != v || v == "" {
			t.Errorf("Provenance names %s %q, want %q", sys, named[sys], v)
		}
	}
	if who != proof.Manifest.Agency || who == "" {
		t.Errorf("Provenance agent %v, want the source agency %q", who, proof.Manifest.Agency)
	}

	r := ha(t, nil, "--config", cfg, "preview", "--connector", "fhir-ndjson", "--set", "identifier_system=urn:healthanchor:patient-id",
		filepath.Join(dir, "Patient.ndjson"))
	mustCode(t, r, 0, "preview of the fetched Patient")
	var back, orig map[string]*string
	if err := json.Unmarshal([]byte(strings.TrimSpace(r.stdout)), &back); err != nil {
		t.Fatalf("preview: %v\n%s", err, r.stdout)
	}
	json.Unmarshal([]byte(proof.Record.Canonical), &orig)
	for _, col := range []string{"patient_id", "family_name", "given_name", "birth_date", "sex", "address", "city", "postal_code", "country", "phone", "death_date", "updated_at"} {
		if fmt.Sprint(deref(back[col])) != fmt.Sprint(deref(orig[col])) {
			t.Errorf("%s: fetched %q, read back from FHIR %q", col, deref(orig[col]), deref(back[col]))
		}
	}
}

func deref(s *string) string {
	if s == nil {
		return "<null>"
	}
	return *s
}
