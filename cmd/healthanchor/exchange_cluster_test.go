package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestClusterExchange runs three real node processes: node1 anchors a
// patient file and grants node2 TREAT on patient/1; node2 fetches one
// patient and the whole batch, each record verified against its own
// replica, and the bundles pass verify proof; node3 (no grant) is
// refused and gets nothing; a tampered batch file at node1 makes node2's
// fetch fail with nothing written; the disclosures, with node2's
// receipt, are on all three replicas.
func TestClusterExchange(t *testing.T) {
	tc := newTestCluster(t, 3)
	tc.leader(tc.nodes)
	n1, n2, n3 := tc.nodes[0], tc.nodes[1], tc.nodes[2]
	tc.kill(n1)
	f, err := os.OpenFile(n1.config, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprint(f, "sharing:\n  grants:\n    - to: node2\n      schemas: [patient/1, encounter/1, observation/1]\n      purposes: [TREAT, ETREAT]\n")
	f.Close()
	mustCode(t, ha(t, nil, "--config", n1.config, "config", "check"), 0, "config check with grants")
	tc.start(n1)
	if err := os.WriteFile(filepath.Join(n1.dir, "inbox/csv/export-x.csv"), []byte(fmt.Sprintf(clusterCSV, "XP", "XP")), 0o644); err != nil {
		t.Fatal(err)
	}
	// Published at node1 (parquet_path is set only then), and so in its
	// patient index, which publishing fills first.
	var batch, parquet string
	tc.waitFor("the inbox batch anchored and published", 60*time.Second, func() bool {
		for _, b := range batches(t, n1.config) {
			if b.Job == "inbox" && b.BlockHeight > 0 && b.ParquetPath != "" {
				batch, parquet = b.BatchID, b.ParquetPath
			}
		}
		return batch != ""
	})
	// Each fetch succeeds at once, right after the anchoring: the fetcher
	// waits for its own replica to hold the batch and for a checkpoint a
	// quorum signed that covers it.
	out := filepath.Join(t.TempDir(), "out")
	r := ha(t, nil, "--config", n2.config, "fetch", "--from", "node1", "--patient", "XP1", "--purpose", "TREAT", "--out", out, "--format", "fhir")
	mustCode(t, r, 0, "node2's fetch of patient XP1")
	proofs, _ := filepath.Glob(filepath.Join(out, "proofs", "*.json"))
	if len(proofs) != 1 {
		t.Fatalf("patient fetch wrote %d proofs, want 1:\n%s%s", len(proofs), r.stdout, r.stderr)
	}
	genesis := filepath.Join(tc.dir, "node3", "genesis.json")
	mustCode(t, ha(t, nil, "verify", "proof", proofs[0], "--genesis", genesis), 0, "verify proof of a fetched record")
	if _, err := os.Stat(filepath.Join(out, batch+".parquet")); err != nil {
		t.Errorf("no Parquet file: %v", err)
	}
	checkFetchedFHIR(t, n2.config, out, proofs[0])
	// Only XP1's row was disclosed: node1 lists that disclosure for XP1
	// and none for XP2, who is in the same batch.
	if got := patientDisclosures(t, n1.config, "XP1"); len(got) != 1 || got[0].Recipient != "node2" {
		t.Errorf("disclosures --patient XP1 after XP1's fetch: %+v, want one to node2", got)
	}
	if got := patientDisclosures(t, n1.config, "XP2"); len(got) != 0 {
		t.Errorf("disclosures --patient XP2 lists %+v, but none of XP2's records was sent", got)
	}

	outB := filepath.Join(t.TempDir(), "batch")
	r = ha(t, nil, "--config", n2.config, "fetch", "--from", "node1", "--batch", batch, "--purpose", "TREAT", "--out", outB, "--format", "fhir")
	mustCode(t, r, 0, "node2's fetch of the batch")
	// The FHIR rendering comes from the same pass over the file.
	if got := strings.Count(readFile(t, filepath.Join(outB, "fhir", "Patient.ndjson")), "\n"); got != 2 {
		t.Errorf("batch fetch rendered %d Patient resources, want 2", got)
	}
	if prov := readFile(t, filepath.Join(outB, "fhir", "Provenance.ndjson")); !strings.Contains(prov, batch) {
		t.Errorf("batch fetch Provenance does not name the batch:\n%s", prov)
	}
	// The batch file as node1 stores it, and one batch bundle, which
	// verify proof checks with the file (the fetch folder as it is, or
	// its proofs folder).
	if got, _ := filepath.Glob(filepath.Join(outB, "proofs", "*.json")); len(got) != 1 || filepath.Base(got[0]) != batch+".json" {
		t.Errorf("batch fetch wrote proofs %v, want one batch bundle %s.json", got, batch)
	}
	if a, b := readFile(t, parquet), readFile(t, filepath.Join(outB, batch+".parquet")); a != b {
		t.Errorf("the fetched batch file differs from node1's")
	}
	r = ha(t, nil, "verify", "proof", outB, "--genesis", genesis)
	mustCode(t, r, 0, "verify proof of a fetched batch")
	if !strings.Contains(r.stdout, "1 proofs") {
		t.Errorf("verify proof of the batch folder:\n%s", r.stdout)
	}
	r = ha(t, nil, "verify", "proof", filepath.Join(outB, "proofs", batch+".json"), "--genesis", genesis)
	mustCode(t, r, 0, "verify proof of the batch bundle")
	if !strings.Contains(r.stdout, "2 rows (0 erased) give the anchored Merkle root") {
		t.Errorf("verify proof of the batch bundle:\n%s", r.stdout)
	}
	mustCode(t, ha(t, nil, "--config", n2.config, "verify", "batch", filepath.Join(outB, batch+".parquet")), 0, "verify batch of the fetched file")
	// The batch file altered after the fetch: the bundle no longer holds.
	flipByte(t, filepath.Join(outB, batch+".parquet"))
	r = ha(t, nil, "verify", "proof", outB, "--genesis", genesis)
	mustCode(t, r, 1, "verify proof of an altered batch file")
	if got := patientDisclosures(t, n1.config, "XP2"); len(got) != 1 || got[0].Records != 2 {
		t.Errorf("disclosures --patient XP2 after the batch fetch: %+v, want the batch's", got)
	}
	if got := patientDisclosures(t, n1.config, "XP1"); len(got) != 2 {
		t.Errorf("disclosures --patient XP1 after the batch fetch: %+v, want two", got)
	}

	refused := filepath.Join(t.TempDir(), "refused")
	r = ha(t, nil, "--config", n3.config, "fetch", "--from", "node1", "--patient", "XP1", "--purpose", "TREAT", "--out", refused)
	mustCode(t, r, 1, "fetch without a grant")
	if !strings.Contains(r.stderr, "no grant to node3") {
		t.Errorf("refusal does not give the reason:\n%s", r.stderr)
	}
	if _, err := os.Stat(refused); !os.IsNotExist(err) {
		t.Errorf("a refused fetch wrote %s", refused)
	}
	r = ha(t, nil, "--config", n2.config, "fetch", "--from", "node1", "--patient", "XP1", "--purpose", "HRESCH", "--out", refused)
	mustCode(t, r, 1, "fetch for a purpose not granted")

	for _, nd := range tc.nodes {
		var list []disclosureListing
		tc.waitFor(nd.id+" holds the two disclosures with receipts", 30*time.Second, func() bool {
			r := ha(t, nil, "--config", nd.config, "disclosures", "--json")
			list = nil
			json.Unmarshal([]byte(r.stdout), &list)
			return len(list) == 2 && list[0].Receipt && list[1].Receipt
		})
		if d := list[0]; d.Discloser != "node1" || d.Recipient != "node2" || d.Purpose != "TREAT" || d.Records != 1 {
			t.Errorf("%s: disclosure %+v", nd.id, d)
		}
	}

	// XP2 erased at node1: a whole-batch fetch gets the rewritten file,
	// XP2's row without its values, and verifies it from the kept row and
	// the kept leaf hash, against the erasure entry on node2's replica.
	// erase anchors through the cluster, as run does: node1's serve holds
	// the ports it joins with, so it is stopped meanwhile.
	tc.kill(n1)
	mustCode(t, ha(t, nil, "--config", n1.config, "erase", "--patient", "XP2", "--reason", "gdpr-art17"), 0, "erase XP2 at node1")
	tc.start(n1)
	outE := filepath.Join(t.TempDir(), "erased")
	var er result
	tc.waitFor("a batch fetch after the erasure", 30*time.Second, func() bool {
		er = ha(t, nil, "--config", n2.config, "fetch", "--from", "node1", "--batch", batch, "--purpose", "TREAT", "--out", outE)
		return er.code == 0
	})
	if !strings.Contains(er.stdout, ": 1 records") {
		t.Errorf("batch fetch after erasing XP2:\n%s", er.stdout)
	}
	r = ha(t, nil, "verify", "proof", outE, "--genesis", genesis, "--json")
	mustCode(t, r, 0, "verify proof of an erased batch")
	if !strings.Contains(r.stdout, `"erased":1`) {
		t.Errorf("verify proof of the erased batch:\n%s", r.stdout)
	}

	// node1 serves altered records: its batch file replaced by another
	// batch's (valid Parquet, other records, another root).
	if err := os.WriteFile(filepath.Join(n1.dir, "inbox/csv/export-y.csv"), []byte(fmt.Sprintf(clusterCSV, "YP", "YP")), 0o644); err != nil {
		t.Fatal(err)
	}
	var other, otherID string
	tc.waitFor("a second batch anchored and published", 60*time.Second, func() bool {
		for _, b := range batches(t, n1.config) {
			if b.Job == "inbox" && b.BlockHeight > 0 && b.ParquetPath != "" && b.BatchID != batch {
				other, otherID = b.ParquetPath, b.BatchID
			}
		}
		return other != ""
	})
	raw, err := os.ReadFile(other)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(parquet, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Logf("replaced %s with %s", parquet, other)
	bad := filepath.Join(t.TempDir(), "bad")
	r = ha(t, nil, "--config", n2.config, "fetch", "--from", "node1", "--patient", "XP1", "--purpose", "TREAT", "--out", bad)
	mustCode(t, r, 1, "fetch of a tampered record")
	if !strings.Contains(r.stderr, "record 0") || !strings.Contains(r.stderr, "another root") {
		t.Errorf("failure does not name the record and the check:\n%s", r.stderr)
	}
	if _, err := os.Stat(bad); !os.IsNotExist(err) {
		t.Errorf("a failed fetch wrote %s", bad)
	}
	// A whole batch served from another batch's file. The second batch
	// has no erasure, so node1 sends its file unread (a batch with an
	// anchored erasure is read first, and node1 refuses to send a file
	// whose erased row holds values): the fetcher's checks must catch it.
	if err := os.WriteFile(other, []byte(readFile(t, filepath.Join(outB, batch+".parquet"))), 0o600); err != nil {
		t.Fatal(err)
	}
	r = ha(t, nil, "--config", n2.config, "fetch", "--from", "node1", "--batch", otherID, "--purpose", "TREAT", "--out", bad)
	mustCode(t, r, 1, "batch fetch of another batch's file")
	if !strings.Contains(r.stderr, "batch "+otherID) || !strings.Contains(r.stderr, "verification failed") {
		t.Errorf("failure does not name the batch and the failed verification:\n%s", r.stderr)
	}
	if err := os.WriteFile(other, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	// One byte of a record altered in node1's file.
	if err := os.WriteFile(parquet, []byte(readFile(t, filepath.Join(outB, batch+".parquet"))), 0o600); err != nil {
		t.Fatal(err)
	}
	r = ha(t, nil, "--config", n2.config, "fetch", "--from", "node1", "--batch", batch, "--purpose", "TREAT", "--out", bad)
	mustCode(t, r, 1, "batch fetch of an altered file")
	if !strings.Contains(r.stderr, "batch "+batch) {
		t.Errorf("failure does not name the batch:\n%s", r.stderr)
	}
	// A batch this node's chain does not hold.
	r = ha(t, nil, "--config", n2.config, "fetch", "--from", "node1", "--batch", strings.Repeat("ab", 16), "--purpose", "TREAT", "--out", bad, "--wait", "0")
	mustCode(t, r, 1, "batch fetch of a batch not on the chain")
	if !strings.Contains(r.stderr, "not on this node's chain") {
		t.Errorf("failure does not say the batch is not on the chain:\n%s", r.stderr)
	}
	if _, err := os.Stat(bad); !os.IsNotExist(err) {
		t.Errorf("a failed fetch wrote %s", bad)
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(bad), ".bad.partial-*")); len(left) > 0 {
		t.Errorf("a failed fetch left %v", left)
	}
}

// readFile returns a file's content, failing the test when it cannot.
func readFile(t *testing.T, path string) string {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

// patientDisclosures lists `disclosures --patient ID` at the node of cfg.
func patientDisclosures(t *testing.T, cfg, patient string) []disclosureListing {
	t.Helper()
	r := ha(t, nil, "--config", cfg, "disclosures", "--patient", patient, "--json")
	mustCode(t, r, 0, "disclosures --patient")
	var list []disclosureListing
	if err := json.Unmarshal([]byte(r.stdout), &list); err != nil {
		t.Fatalf("disclosures --json: %v\n%s", err, r.stdout)
	}
	return list
}
