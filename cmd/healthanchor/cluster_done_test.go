package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestClusterFilesThroughLeaderLoss drops export files into every node's
// inbox, kills the leader, drops more (including into the dead node's
// inbox), restarts it, and then checks that the three nodes end with
// identical chains that each pass `verify chain`, holding every dropped
// file's batch exactly once.
func TestClusterFilesThroughLeaderLoss(t *testing.T) {
	tc := newTestCluster(t, 3)
	drop := func(nd *clusterNode, name string) {
		t.Helper()
		body := fmt.Sprintf(clusterCSV, strings.ToUpper(nd.id+name), strings.ToUpper(nd.id+name))
		tmp := filepath.Join(nd.dir, "inbox/csv/."+name)
		if err := os.WriteFile(tmp, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, filepath.Join(nd.dir, "inbox/csv", name)); err != nil {
			t.Fatal(err)
		}
	}
	for _, nd := range tc.nodes {
		drop(nd, "first.csv")
	}
	lead := tc.leader(tc.nodes)
	tc.kill(lead)
	for _, nd := range tc.nodes {
		drop(nd, "second.csv") // the dead leader's inbox too
	}
	time.Sleep(2 * time.Second)
	tc.start(lead)

	// Every node eventually lists every dropped row: two files of two rows
	// per agency (a job may take both files in one window, one batch).
	want := int64(2 * 2 * len(tc.nodes))
	deadline := time.Now().Add(60 * time.Second)
	for {
		counts := make([]int64, len(tc.nodes))
		done := true
		for i, nd := range tc.nodes {
			counts[i] = inboxRows(inboxBatches(t, nd))
			done = done && counts[i] >= want
		}
		if done {
			break
		}
		if time.Now().After(deadline) {
			for _, nd := range tc.nodes {
				raw, _ := os.ReadFile(filepath.Join(nd.dir, "node.log"))
				lines := strings.Split(string(raw), "\n")
				if len(lines) > 15 {
					lines = lines[len(lines)-15:]
				}
				t.Logf("%s log tail:\n%s", nd.id, strings.Join(lines, "\n"))
			}
			t.Fatalf("inbox rows per node %v after 60s, want %d each", counts, want)
		}
		time.Sleep(500 * time.Millisecond)
	}
	st, _ := tc.status(tc.nodes[0])
	tc.sameHeads(tc.nodes, st.Height)
	for _, nd := range tc.nodes {
		list := inboxBatches(t, nd)
		if got := inboxRows(list); got != want {
			t.Errorf("%s: inbox batches hold %d rows, want %d (every dropped row exactly once)", nd.id, got, want)
		}
		seen := map[string]bool{}
		for _, b := range list {
			if seen[b.BatchID] {
				t.Errorf("%s: batch %s listed twice", nd.id, b.BatchID)
			}
			seen[b.BatchID] = true
		}
	}
	for _, nd := range tc.nodes {
		tc.kill(nd)
	}
	for _, nd := range tc.nodes {
		mustCode(t, ha(t, nil, "--config", nd.config, "verify", "chain"), 0, nd.id+": verify chain")
	}
}

// inboxBatches lists the batches of the `inbox` jobs on the node's chain.
func inboxBatches(t *testing.T, nd *clusterNode) []listed {
	t.Helper()
	var out []listed
	for _, b := range batches(t, nd.config) {
		if b.Job == "inbox" {
			out = append(out, b)
		}
	}
	return out
}

func inboxRows(list []listed) int64 {
	var n int64
	for _, b := range list {
		n += b.Rows
	}
	return n
}

// TestClusterSnapshotCatchUp keeps few log entries after each snapshot,
// stops a node while the others anchor many blocks, and restarts it: it
// must be sent a snapshot, verify and install it, and agree with the
// others; its chain passes `verify chain`.
func TestClusterSnapshotCatchUp(t *testing.T) {
	dir := t.TempDir()
	mustCode(t, ha(t, nil, "cluster", "init", "--nodes", "3", "--dir", dir), 0, "cluster init")
	for k := 1; k <= 3; k++ {
		cfg := filepath.Join(dir, fmt.Sprintf("node%d", k), "healthanchor.yaml")
		raw, err := os.ReadFile(cfg)
		if err != nil {
			t.Fatal(err)
		}
		tuned := strings.Replace(string(raw), "\ncluster:\n", "\ncluster:\n  snapshot_every: 4\n  snapshot_interval: 500ms\n  trailing_logs: 2\n", 1)
		if tuned == string(raw) {
			t.Fatalf("%s has no cluster: section to tune", cfg)
		}
		os.WriteFile(cfg, []byte(tuned), 0o644)
	}
	tc := &testCluster{t: t, dir: dir}
	t.Cleanup(func() {
		for _, nd := range tc.nodes {
			tc.kill(nd)
		}
	})
	for k := 1; k <= 3; k++ {
		tc.add(fmt.Sprintf("node%d", k))
	}
	lead := tc.leader(tc.nodes)
	behind := others(tc.nodes, lead)[0]
	tc.kill(behind)
	rest := others(tc.nodes, behind)
	var h int64
	for i := 0; i < 12; i++ {
		h = tc.anchor(rest[i%2], fmt.Sprintf("while-down-%d", i), 1)
	}
	time.Sleep(2 * time.Second) // let the others take a snapshot and trim their logs
	tc.start(behind)
	tc.sameHeads(tc.nodes, h)
	raw, _ := os.ReadFile(filepath.Join(behind.dir, "node.log"))
	if !strings.Contains(string(raw), "chain restored from snapshot") {
		t.Errorf("%s caught up without a snapshot; its log:\n%s", behind.id, raw)
	}
	tc.kill(behind)
	mustCode(t, ha(t, nil, "--config", behind.config, "verify", "chain"), 0, behind.id+": verify chain after the snapshot")
}
