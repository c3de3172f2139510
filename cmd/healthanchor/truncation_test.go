package main

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// sqlExec runs statements on a SQLite file and folds its write-ahead log.
func sqlExec(t *testing.T, path string, stmts ...string) {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	if _, err := db.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		t.Fatal(err)
	}
}

// TestTruncatedChainDetected deletes the newest block and its manifests
// from chain.db: the chain left is valid on its own, but the state DB
// recorded batches anchored in that block and the node held the longer
// log. verify chain and run must both refuse.
func TestTruncatedChainDetected(t *testing.T) {
	dir, cfg := newDeployment(t)
	if err := os.WriteFile(filepath.Join(dir, "inbox/csv/patients-extra.csv"), []byte(extraCSV), 0o644); err != nil {
		t.Fatal(err)
	}
	mustCode(t, ha(t, nil, "--config", cfg, "run"), 0, "run")
	mustCode(t, ha(t, nil, "--config", cfg, "verify", "chain"), 0, "verify chain before")
	list := batches(t, cfg)
	last := list[len(list)-1]
	chainPath, statePath := filepath.Join(dir, "chain.db"), filepath.Join(dir, "state.db")
	orig, err := os.ReadFile(chainPath)
	if err != nil {
		t.Fatal(err)
	}
	sqlExec(t, chainPath,
		fmt.Sprintf(`DELETE FROM manifests WHERE height = %d`, last.BlockHeight),
		fmt.Sprintf(`DELETE FROM blocks WHERE height = %d`, last.BlockHeight))

	r := ha(t, nil, "--config", cfg, "verify", "chain")
	wantFail(t, r, "verify a truncated chain", fmt.Sprintf("ends at height %d", last.BlockHeight-1), "log size", last.BatchID)
	r = ha(t, nil, "--config", cfg, "run")
	wantFail(t, r, "run on a truncated chain", fmt.Sprintf("ends at height %d", last.BlockHeight-1), last.BatchID)
	if strings.Contains(r.stdout+r.stderr, "nothing new") {
		t.Errorf("run on a truncated chain says nothing new:\n%s%s", r.stdout, r.stderr)
	}

	// The recorded head alone catches it too, without the batch records.
	os.WriteFile(chainPath, orig, 0o644)
	mustCode(t, ha(t, nil, "--config", cfg, "verify", "chain"), 0, "verify the restored chain")
	stateOrig, err := os.ReadFile(statePath)
	if err != nil {
		t.Fatal(err)
	}
	defer os.WriteFile(statePath, stateOrig, 0o644)
	// Its first byte changed (to 00, or to ff when it is 00: a root starts
	// with 00 once in 256 runs).
	sqlExec(t, statePath, `UPDATE chain_heads SET log_root = (CASE WHEN substr(log_root, 1, 2) = '00' THEN 'ff' ELSE '00' END) || substr(log_root, 3)
		WHERE height = (SELECT MAX(height) FROM chain_heads)`)
	wantFail(t, ha(t, nil, "--config", cfg, "verify", "chain"), "verify a chain whose log root differs from the one held", "log root")
}

// TestClusterNodesRecordHeads anchors through a replicated cluster: every
// member records the heads its replica appended, so a member whose chain
// store then loses its newest block fails verify chain.
func TestClusterNodesRecordHeads(t *testing.T) {
	tc := newTestCluster(t, 3)
	tc.leader(tc.nodes)
	h := tc.anchor(tc.nodes[1], "held", 1)
	tc.sameHeads(tc.nodes, h)
	for _, nd := range tc.nodes {
		tc.kill(nd)
	}
	for _, nd := range tc.nodes {
		db, err := sql.Open("sqlite", filepath.Join(nd.dir, "state.db"))
		if err != nil {
			t.Fatal(err)
		}
		var got int64
		err = db.QueryRow(`SELECT COALESCE(MAX(height), 0) FROM chain_heads`).Scan(&got)
		db.Close()
		if err != nil || got != h {
			t.Errorf("%s recorded head %d (%v), want %d", nd.id, got, err, h)
		}
	}
	nd := tc.nodes[2]
	chainPath := filepath.Join(nd.dir, "chain.db")
	sqlExec(t, chainPath, fmt.Sprintf(`DELETE FROM manifests WHERE height = %d`, h), fmt.Sprintf(`DELETE FROM blocks WHERE height = %d`, h))
	wantFail(t, ha(t, nil, "--config", nd.config, "verify", "chain"), "verify a member's truncated chain", fmt.Sprintf("ends at height %d", h-1))
}
