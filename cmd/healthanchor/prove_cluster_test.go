package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestClusterProof anchors an inbox file on a three-node cluster, proves
// one of its records at the node that produced it, and verifies the
// bundle with nothing but the genesis: the checkpoint it ends at is
// signed by at least two of the three members.
func TestClusterProof(t *testing.T) {
	tc := newTestCluster(t, 3)
	tc.leader(tc.nodes)
	nd := tc.nodes[1]
	body := fmt.Sprintf(clusterCSV, "QP", "QP")
	if err := os.WriteFile(filepath.Join(nd.dir, "inbox/csv/export-q.csv"), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	var id string
	tc.waitFor("the inbox batch anchored", 30*time.Second, func() bool {
		for _, b := range batches(t, nd.config) {
			if b.Job == "inbox" && b.BlockHeight > 0 {
				id = b.BatchID
			}
		}
		return id != ""
	})
	proof := filepath.Join(t.TempDir(), "proof.json")
	var r result
	tc.waitFor("a checkpoint cosigned by a quorum", 20*time.Second, func() bool {
		r = ha(t, nil, "--config", nd.config, "prove", id, "--row", "1", "--out", proof)
		return r.code == 0
	})
	genesis := filepath.Join(t.TempDir(), "genesis.json")
	raw, err := os.ReadFile(filepath.Join(tc.dir, "node3", "genesis.json"))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(genesis, raw, 0o644)
	r = ha(t, nil, "verify", "proof", proof, "--genesis", genesis)
	mustCode(t, r, 0, "verify proof")
	if !regexp.MustCompile(`quorum [23] of 3 \(node`).MatchString(r.stdout) {
		t.Errorf("OK line does not name a quorum of 2 or 3 of 3:\n%s", r.stdout)
	}
	t.Log(strings.TrimSpace(r.stdout))
}
