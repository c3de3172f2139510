package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestProveQuorumOfOne proves a demo record and a reject (by source_ref,
// naming only the batch), and checks that the single-node chain's OK line
// says it is a quorum of one.
func TestProveQuorumOfOne(t *testing.T) {
	dir, cfg := newDeployment(t)
	genesis := filepath.Join(dir, "genesis.json")
	var b listed
	for _, x := range batches(t, cfg) {
		if x.Job == "patients-csv" {
			b = x
		}
	}
	proof := filepath.Join(dir, "proof.json")
	mustCode(t, ha(t, nil, "--config", cfg, "prove", b.BatchID, "--row", "3", "--out", proof), 0, "prove a row")
	r := ha(t, nil, "verify", "proof", proof, "--genesis", genesis)
	mustCode(t, r, 0, "verify proof")
	if !strings.Contains(r.stdout, "quorum 1 of 1") || !strings.Contains(r.stdout, "(patient/1,") {
		t.Errorf("OK line does not say quorum 1 of 1: %s", r.stdout)
	}

	// The first reject, by its row in the rejects file; then the same
	// one by its source_ref given the batch id alone.
	r = ha(t, nil, "--config", cfg, "prove", b.RejectsPath, "--row", "0")
	mustCode(t, r, 0, "prove a reject by row")
	var p struct{ Record struct{ Canonical string } }
	if err := json.Unmarshal([]byte(r.stdout), &p); err != nil {
		t.Fatal(err)
	}
	var rec struct {
		SourceRef string `json:"source_ref"`
	}
	if err := json.Unmarshal([]byte(p.Record.Canonical), &rec); err != nil || rec.SourceRef == "" {
		t.Fatalf("reject record %q: %v", p.Record.Canonical, err)
	}
	mustCode(t, ha(t, nil, "--config", cfg, "prove", b.BatchID, "--source-ref", rec.SourceRef, "--out", proof), 0, "prove a reject by source_ref")
	r = ha(t, nil, "verify", "proof", proof, "--genesis", genesis)
	mustCode(t, r, 0, "verify the reject's proof")
	if !strings.Contains(r.stdout, "(reject/1,") {
		t.Errorf("OK line does not name reject/1: %s", r.stdout)
	}
}

// TestVerifyProofBadInput feeds verify proof what is not a bundle or
// not a genesis: each is exit 1 with a message saying what is wrong,
// never a crash; a missing file is a usage error.
func TestVerifyProofBadInput(t *testing.T) {
	dir, cfg := newDeployment(t)
	genesis := filepath.Join(dir, "genesis.json")
	var id string
	for _, x := range batches(t, cfg) {
		id = x.BatchID
	}
	proof := filepath.Join(dir, "proof.json")
	mustCode(t, ha(t, nil, "--config", cfg, "prove", id, "--row", "0", "--out", proof), 0, "prove")
	good, _ := os.ReadFile(proof)
	other := filepath.Join(t.TempDir(), "other")
	mustCode(t, ha(t, nil, "demo", "--dir", other), 0, "another demo")
	write := func(name string, data []byte) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	var bundle map[string]any
	if err := json.Unmarshal(good, &bundle); err != nil {
		t.Fatal(err)
	}
	block, _ := json.Marshal(bundle["block"])
	upper := strings.Replace(string(good), bundle["manifest"].(map[string]any)["merkle_root"].(string),
		strings.ToUpper(bundle["manifest"].(map[string]any)["merkle_root"].(string)), 1)
	cases := []struct {
		name, bundle, genesis, want string
	}{
		{"truncated", write("t.json", good[:len(good)/2]), genesis, "truncated"},
		{"not JSON", write("n.json", []byte("%PDF-1.7\n")), genesis, "not JSON"},
		{"empty", write("e.json", nil), genesis, "empty"},
		{"oversized", write("o.json", []byte(strings.Repeat(" ", 16<<20+1))), genesis, "larger than"},
		{"unknown member", write("u.json", []byte(strings.Replace(string(good), `"v":`, `"x": 1, "v":`, 1))), genesis, "unknown field"},
		{"wrong type", write("w.json", []byte(strings.Replace(string(good), `"index": `, `"index": "`, 1))), genesis, ""},
		{"upper-case hex", write("h.json", []byte(upper)), genesis, "lower-case"},
		{"other chain's genesis", proof, filepath.Join(other, "genesis.json"), "is not the hash of this genesis"},
		{"a block as genesis", proof, write("b.json", block), "not a genesis"},
		{"a bundle as genesis", proof, proof, "unknown field"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := ha(t, nil, "verify", "proof", tc.bundle, "--genesis", tc.genesis)
			mustCode(t, r, 1, tc.name)
			if !strings.Contains(r.stderr, tc.want) || strings.Contains(r.stderr, "panic") {
				t.Errorf("stderr does not say %q:\n%s", tc.want, r.stderr)
			}
		})
	}
	mustCode(t, ha(t, nil, "verify", "proof", filepath.Join(dir, "missing.json"), "--genesis", genesis), 2, "missing bundle")
	mustCode(t, ha(t, nil, "verify", "proof", proof), 2, "no --genesis")
}

// TestProvePatient proves every record of one patient, a reject naming
// it included, and checks the folder with one summary line; a changed
// bundle in the folder fails it.
func TestProvePatient(t *testing.T) {
	dir, cfg := newDeployment(t)
	genesis := filepath.Join(dir, "genesis.json")
	if err := os.WriteFile(filepath.Join(dir, "inbox/csv/patients-extra.csv"), []byte(extraCSV), 0o644); err != nil {
		t.Fatal(err)
	}
	mustCode(t, ha(t, nil, "--config", cfg, "run"), 0, "run with a reject of X2")
	out := filepath.Join(dir, "proofs-x2")
	r := ha(t, nil, "--config", cfg, "prove", "--patient", "X2", "--out", out)
	mustCode(t, r, 0, "prove --patient X2")
	r = ha(t, nil, "verify", "proof", out, "--genesis", genesis)
	mustCode(t, r, 0, "verify proof DIR")
	if !strings.Contains(r.stdout, "OK: 1 proofs") || !strings.Contains(r.stdout, "reject/1: 1") {
		t.Errorf("X2's reject: %s", r.stdout)
	}

	out = filepath.Join(dir, "proofs-his")
	mustCode(t, ha(t, nil, "--config", cfg, "prove", "--patient", "HIS100343", "--out", out), 0, "prove --patient HIS100343")
	r = ha(t, nil, "verify", "proof", out, "--genesis", genesis)
	mustCode(t, r, 0, "verify proof DIR")
	if !strings.Contains(r.stdout, "encounter/1: 7") || !strings.Contains(r.stdout, "patient/1: 1") || !strings.Contains(r.stdout, "1 of 1") {
		t.Errorf("HIS100343: %s", r.stdout)
	}
	files, _ := filepath.Glob(filepath.Join(out, "*.json"))
	data, _ := os.ReadFile(files[0])
	os.WriteFile(files[0], []byte(strings.Replace(string(data), `"index": `, `"index": 1`, 1)), 0o644)
	r = ha(t, nil, "verify", "proof", out, "--genesis", genesis)
	mustCode(t, r, 1, "verify proof DIR with a changed bundle")
	if !strings.Contains(r.stdout, "FAIL "+filepath.Base(files[0])) || !strings.Contains(r.stderr, "1 of 8 bundles") {
		t.Errorf("changed bundle: %s%s", r.stdout, r.stderr)
	}
	mustCode(t, ha(t, nil, "--config", cfg, "prove", "--patient", "NOBODY", "--out", filepath.Join(dir, "none")), 1, "prove --patient nobody")
	mustCode(t, ha(t, nil, "--config", cfg, "prove", "--patient", "X2"), 2, "prove --patient without --out")
}
