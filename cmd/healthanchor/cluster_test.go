package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/healthanchor/healthanchor/anchor"
	"github.com/healthanchor/healthanchor/anchor/replication"
)

// clusterNode is one node process of a test cluster.
type clusterNode struct {
	id, dir, config string
	cfg             *replication.Config
	cmd             *exec.Cmd
	exited          chan error
}

type testCluster struct {
	t     *testing.T
	dir   string
	nodes []*clusterNode
}

// newTestCluster runs `cluster init` for n nodes and starts them all.
// Every process it starts is killed, by pid, when the test ends.
func newTestCluster(t *testing.T, n int) *testCluster {
	t.Helper()
	return newTestClusterWith(t, n, 0)
}

// newTestClusterWith is newTestCluster with observers, which come last
// in tc.nodes (observer1 ...).
func newTestClusterWith(t *testing.T, n, observers int) *testCluster {
	t.Helper()
	dir := t.TempDir()
	r := ha(t, nil, "cluster", "init", "--nodes", fmt.Sprint(n), "--observers", fmt.Sprint(observers), "--dir", dir)
	mustCode(t, r, 0, "cluster init")
	tc := &testCluster{t: t, dir: dir}
	var ids []string
	for k := 1; k <= n; k++ {
		ids = append(ids, fmt.Sprintf("node%d", k))
	}
	for k := 1; k <= observers; k++ {
		ids = append(ids, fmt.Sprintf("observer%d", k))
	}
	t.Cleanup(func() {
		for _, nd := range tc.nodes {
			tc.kill(nd)
		}
	})
	for _, id := range ids {
		tc.add(id)
	}
	return tc
}

// add starts the node whose folder DIR/id holds a healthanchor.yaml.
func (tc *testCluster) add(id string) *clusterNode {
	tc.t.Helper()
	nd := &clusterNode{id: id, dir: filepath.Join(tc.dir, id)}
	nd.config = filepath.Join(nd.dir, "healthanchor.yaml")
	cfg, ok, err := replication.LoadConfigFile(nd.config)
	if err != nil || !ok {
		tc.t.Fatalf("%s: cluster section: %v", nd.config, err)
	}
	nd.cfg = cfg
	tc.nodes = append(tc.nodes, nd)
	tc.start(nd)
	return nd
}

func (tc *testCluster) start(nd *clusterNode) {
	tc.t.Helper()
	logf, err := os.OpenFile(filepath.Join(nd.dir, "node.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		tc.t.Fatal(err)
	}
	nd.cmd = exec.Command(binary, "--config", nd.config, "serve")
	nd.cmd.Stdout, nd.cmd.Stderr = logf, logf
	if err := nd.cmd.Start(); err != nil {
		tc.t.Fatal(err)
	}
	nd.exited = make(chan error, 1)
	go func(c *exec.Cmd, ch chan error) { ch <- c.Wait(); logf.Close() }(nd.cmd, nd.exited)
}

// kill SIGKILLs the node's process (by its pid) and reaps it.
func (tc *testCluster) kill(nd *clusterNode) {
	if nd.cmd == nil {
		return
	}
	nd.cmd.Process.Signal(syscall.SIGKILL)
	<-nd.exited
	nd.cmd = nil
}

func (tc *testCluster) status(nd *clusterNode) (replication.Status, bool) {
	r := ha(tc.t, nil, "--config", nd.config, "chain", "status", "--json")
	var st replication.Status
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &st) != nil {
		return st, false
	}
	return st, st.Role != "offline"
}

// waitFor polls cond until it holds or the deadline passes.
func (tc *testCluster) waitFor(what string, d time.Duration, cond func() bool) {
	tc.t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			tc.t.Fatalf("timed out after %v waiting for %s\n%s", d, what, tc.logs())
		}
		time.Sleep(150 * time.Millisecond)
	}
}

func (tc *testCluster) logs() string {
	var b strings.Builder
	for _, nd := range tc.nodes {
		raw, _ := os.ReadFile(filepath.Join(nd.dir, "node.log"))
		lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
		if len(lines) > 15 {
			lines = lines[len(lines)-15:]
		}
		fmt.Fprintf(&b, "--- %s (last lines)\n%s\n", nd.id, strings.Join(lines, "\n"))
	}
	return b.String()
}

// leader waits until the running nodes agree on a leader among them and
// returns it.
func (tc *testCluster) leader(running []*clusterNode) *clusterNode {
	tc.t.Helper()
	var lead string
	tc.waitFor("a leader", 15*time.Second, func() bool {
		lead = ""
		for _, nd := range running {
			st, ok := tc.status(nd)
			if !ok || st.Leader == "" || (lead != "" && st.Leader != lead) {
				return false
			}
			lead = st.Leader
		}
		for _, nd := range running {
			if nd.id == lead {
				return true
			}
		}
		return false
	})
	for _, nd := range tc.nodes {
		if nd.id == lead {
			return nd
		}
	}
	tc.t.Fatalf("leader %q is not a node", lead)
	return nil
}

// anchor submits count synthetic submissions at nd and returns the last
// block height.
func (tc *testCluster) anchor(nd *clusterNode, prefix string, count int) int64 {
	tc.t.Helper()
	r := ha(tc.t, nil, "--config", nd.config, "cluster", "anchor-test", "--count", fmt.Sprint(count), "--manifests", "2", "--prefix", prefix)
	if r.code != 0 {
		tc.t.Fatalf("anchor-test at %s: exit %d\n%s%s\n%s", nd.id, r.code, r.stdout, r.stderr, tc.logs())
	}
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	var last struct{ Height int64 }
	json.Unmarshal([]byte(lines[len(lines)-1]), &last)
	return last.Height
}

// sameHeads waits until the given nodes hold the same head at least at height.
func (tc *testCluster) sameHeads(nodes []*clusterNode, height int64) string {
	tc.t.Helper()
	var head string
	tc.waitFor(fmt.Sprintf("heads to agree at height >= %d", height), 20*time.Second, func() bool {
		head = ""
		for _, nd := range nodes {
			st, ok := tc.status(nd)
			if !ok || st.Height < height || (head != "" && st.HeadHash != head) {
				return false
			}
			head = st.HeadHash
		}
		return true
	})
	return head
}

func others(all []*clusterNode, not *clusterNode) []*clusterNode {
	var out []*clusterNode
	for _, nd := range all {
		if nd != not {
			out = append(out, nd)
		}
	}
	return out
}

const clusterCSV = `patient_id,family_name,given_name,birth_date,sex,address,city,postal_code,country,phone,death_date,updated_at
%s1,Pérez,Martín,2004-09-04,M,Paseo del Prado 27,León,34390,ES,+34 5 53 71 91 57,,2026-01-04T03:48:55Z
%s2,Fuchs,Mia,1947-05-09,F,Bahnhofstraße 150,Lübeck,97513,DE,+49 9 00 01 32 87,,2026-07-07T22:33:55Z
`

// TestClusterReplication drives three real processes on loopback:
// anchoring at any node, losing the leader, catching up, inbox files
// through the scheduled jobs, and an isolated node unable to commit.
func TestClusterReplication(t *testing.T) {
	tc := newTestCluster(t, 3)
	lead := tc.leader(tc.nodes)

	// Anchors submitted at every node appear on all.
	var h int64
	for i, nd := range tc.nodes {
		h = tc.anchor(nd, fmt.Sprintf("s%d", i), 2)
	}
	tc.sameHeads(tc.nodes, h)

	// Files dropped into two inboxes are anchored by the jobs, exactly once.
	for _, nd := range tc.nodes[:2] {
		body := fmt.Sprintf(clusterCSV, strings.ToUpper(nd.id), strings.ToUpper(nd.id))
		if err := os.WriteFile(filepath.Join(nd.dir, "inbox/csv/export-1.csv"), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	base, _ := tc.status(tc.nodes[2])
	tc.waitFor("both inbox batches anchored", 30*time.Second, func() bool {
		st, ok := tc.status(tc.nodes[2])
		return ok && st.LogSize >= base.LogSize+2
	})

	// SIGKILL the leader: a new one is elected and anchoring goes on.
	tc.kill(lead)
	rest := others(tc.nodes, lead)
	newLead := tc.leader(rest)
	if newLead == lead {
		t.Fatalf("leader still %s after it was killed", lead.id)
	}
	h = tc.anchor(rest[0], "after-kill", 2)
	tc.sameHeads(rest, h)

	// Restart it: it catches up and every head agrees.
	tc.start(lead)
	head := tc.sameHeads(tc.nodes, h)
	for _, nd := range tc.nodes {
		r := ha(t, nil, "--config", nd.config, "chain", "compare", "--peer", tc.nodes[0].cfg.APIAddr)
		mustCode(t, r, 0, nd.id+": chain compare")
	}
	t.Logf("3 nodes agree at height %d, head %s", h, head)

	// Every node checkpoint carries several members' signatures.
	tc.waitFor("cosigned checkpoint", 10*time.Second, func() bool {
		r := ha(t, nil, "--config", tc.nodes[1].config, "chain", "checkpoint")
		return r.code == 0 && strings.Count(r.stdout, "\n— ") >= 4
	})

	// A non-member certificate is refused, on the API and on Raft.
	checkRefused(t, tc)

	// Isolate one node (kill the two others): it cannot commit.
	alone := tc.nodes[2]
	before, _ := tc.status(alone)
	for _, nd := range tc.nodes[:2] {
		tc.kill(nd)
	}
	r := ha(t, nil, "--config", alone.config, "cluster", "anchor-test", "--prefix", "alone", "--timeout", "3s")
	if r.code == 0 {
		t.Fatalf("an isolated node committed a block: %s", r.stdout)
	}
	after, _ := tc.status(alone)
	if after.Height != before.Height || after.HeadHash != before.HeadHash {
		t.Fatalf("isolated node's head moved from %d to %d", before.Height, after.Height)
	}

	// A node whose chain store was edited refuses to start.
	tc.kill(alone)
	tamper(t, filepath.Join(alone.dir, "chain.db"))
	tc.start(alone)
	select {
	case err := <-alone.exited:
		alone.cmd = nil
		raw, _ := os.ReadFile(filepath.Join(alone.dir, "node.log"))
		if err == nil || !strings.Contains(string(raw), "fails verification") {
			t.Fatalf("node with an edited chain: exit %v; log:\n%s", err, raw)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("a node with an edited chain store kept running")
	}
}

// tamper rewrites a manifest's row count inside the stored block body.
func tamper(t *testing.T, path string) {
	t.Helper()
	db, err := anchor.OpenDB(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	res, err := db.Exec(`UPDATE blocks SET body = CAST(replace(CAST(body AS TEXT), '"rows":0', '"rows":7') AS BLOB) WHERE height = 1`)
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		t.Fatalf("tamper changed %d rows", n)
	}
}

// checkRefused dials node1's API and Raft ports with a certificate from
// the consortium CA for a non-member id, and with one from another CA
// for a member's id: both handshakes must fail.
func checkRefused(t *testing.T, tc *testCluster) {
	t.Helper()
	ca, err := replication.LoadCA(filepath.Join(tc.dir, "ca/ca.crt"), filepath.Join(tc.dir, "ca/ca.key"))
	if err != nil {
		t.Fatal(err)
	}
	rogue, err := replication.NewCA("rogue CA")
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(ca.Cert)
	for _, c := range []struct {
		name string
		ca   *replication.CA
		id   string
	}{{"non-member signed by the consortium CA", ca, "intruder"}, {"member id signed by another CA", rogue, "node2"}} {
		certPEM, keyPEM, err := c.ca.Issue(c.id, []string{"127.0.0.1"})
		if err != nil {
			t.Fatal(err)
		}
		cert, err := tls.X509KeyPair(certPEM, keyPEM)
		if err != nil {
			t.Fatal(err)
		}
		cfg := &tls.Config{Certificates: []tls.Certificate{cert}, RootCAs: pool, ServerName: "127.0.0.1", MinVersion: tls.VersionTLS13}
		for _, addr := range []string{tc.nodes[0].cfg.APIAddr, tc.nodes[0].cfg.RaftAddr} {
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
			d := tls.Dialer{Config: cfg}
			conn, err := d.DialContext(ctx, "tcp", addr)
			if err == nil {
				// TLS 1.3 reports a refused client certificate on first read.
				conn.SetDeadline(time.Now().Add(3 * time.Second))
				conn.Write([]byte("GET /v1/status HTTP/1.1\r\nHost: x\r\n\r\n"))
				_, err = conn.Read(make([]byte, 1))
				conn.Close()
			}
			cancel()
			if err == nil {
				t.Errorf("%s: %s accepted the connection", c.name, addr)
			}
		}
	}
}
