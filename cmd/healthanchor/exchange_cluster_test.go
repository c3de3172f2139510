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
	var batch, parquet string
	tc.waitFor("the inbox batch anchored", 60*time.Second, func() bool {
		for _, b := range batches(t, n1.config) {
			if b.Job == "inbox" && b.BlockHeight > 0 && b.ParquetPath != "" {
				batch, parquet = b.BatchID, b.ParquetPath
			}
		}
		return batch != ""
	})
	out := filepath.Join(t.TempDir(), "out")
	var r result
	tc.waitFor("node2's fetch of patient XP1", 30*time.Second, func() bool {
		r = ha(t, nil, "--config", n2.config, "fetch", "--from", "node1", "--patient", "XP1", "--purpose", "TREAT", "--out", out)
		return r.code == 0
	})
	proofs, _ := filepath.Glob(filepath.Join(out, "proofs", "*.json"))
	if len(proofs) != 1 {
		t.Fatalf("patient fetch wrote %d proofs, want 1:\n%s%s", len(proofs), r.stdout, r.stderr)
	}
	genesis := filepath.Join(tc.dir, "node3", "genesis.json")
	mustCode(t, ha(t, nil, "verify", "proof", proofs[0], "--genesis", genesis), 0, "verify proof of a fetched record")
	if _, err := os.Stat(filepath.Join(out, batch+".parquet")); err != nil {
		t.Errorf("no Parquet file: %v", err)
	}
	outB := filepath.Join(t.TempDir(), "batch")
	// A checkpoint newer than the last disclosure may still lack a
	// quorum's signatures for a moment: retry as an operator would.
	tc.waitFor("node2's fetch of the batch", 30*time.Second, func() bool {
		r = ha(t, nil, "--config", n2.config, "fetch", "--from", "node1", "--batch", batch, "--purpose", "TREAT", "--out", outB)
		return r.code == 0
	})
	if got, _ := filepath.Glob(filepath.Join(outB, "proofs", "*.json")); len(got) != 2 {
		t.Errorf("batch fetch wrote %d proofs, want 2", len(got))
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
		tc.waitFor(nd.id+" holds two disclosures with receipts", 30*time.Second, func() bool {
			r := ha(t, nil, "--config", nd.config, "disclosures", "--json")
			list = nil
			json.Unmarshal([]byte(r.stdout), &list)
			// A fetch retried because the checkpoint lacked a quorum left
			// a disclosure without receipt: the source did answer.
			receipts := 0
			for _, d := range list {
				if d.Receipt {
					receipts++
				}
			}
			return receipts == 2
		})
		if d := list[0]; d.Discloser != "node1" || d.Recipient != "node2" || d.Purpose != "TREAT" || d.Records != 1 {
			t.Errorf("%s: disclosure %+v", nd.id, d)
		}
	}
	r = ha(t, nil, "--config", n1.config, "disclosures", "--patient", "XP1", "--json")
	if mustCode(t, r, 0, "disclosures --patient"); !strings.Contains(r.stdout, `"recipient": "node2"`) {
		t.Errorf("disclosures --patient does not name node2:\n%s", r.stdout)
	}

	// node1 serves altered records: its batch file replaced by another
	// batch's (valid Parquet, other records, another root).
	if err := os.WriteFile(filepath.Join(n1.dir, "inbox/csv/export-y.csv"), []byte(fmt.Sprintf(clusterCSV, "YP", "YP")), 0o644); err != nil {
		t.Fatal(err)
	}
	var other string
	tc.waitFor("a second batch anchored", 60*time.Second, func() bool {
		for _, b := range batches(t, n1.config) {
			// Anchored first, published a moment later: wait for its file.
			if b.Job == "inbox" && b.BlockHeight > 0 && b.BatchID != batch && b.ParquetPath != "" {
				other = b.ParquetPath
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
	tc.waitFor("node2's fetch to fail on the record", 30*time.Second, func() bool {
		r = ha(t, nil, "--config", n2.config, "fetch", "--from", "node1", "--patient", "XP1", "--purpose", "TREAT", "--out", bad)
		return !strings.Contains(r.stderr, "quorum")
	})
	mustCode(t, r, 1, "fetch of a tampered record")
	if !strings.Contains(r.stderr, "record 0") {
		t.Errorf("failure does not name the record:\n%s", r.stderr)
	}
	if _, err := os.Stat(bad); !os.IsNotExist(err) {
		t.Errorf("a failed fetch wrote %s", bad)
	}
}
