package main

import (
	"crypto/ed25519"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/healthanchor/healthanchor/anchor"
	"github.com/healthanchor/healthanchor/anchor/replication"
)

// TestClusterObserverAndNewMember runs three members and an observer
// from `cluster init`: the observer receives and verifies every block and
// never votes; then a fourth agency is added by a membership change
// signed by a majority, becomes a voter, anchors, and every replica
// agrees on the head.
func TestClusterObserverAndNewMember(t *testing.T) {
	tc := newTestClusterWith(t, 3, 1)
	members, obs := tc.nodes[:3], tc.nodes[3]
	lead := tc.leader(members)
	h := tc.anchor(members[1], "m", 2)
	tc.sameHeads(tc.nodes, h)
	st, _ := tc.status(obs)
	if st.Role != "observer" {
		t.Fatalf("observer's role %q, want observer", st.Role)
	}
	if suffrage(tc, lead, obs.id) != "observer" {
		t.Fatalf("observer is not a non-voter in the leader's configuration")
	}

	// A fourth agency prepares its folder and starts with no Raft state.
	node4 := newAgencyFolder(t, tc, "node4")
	pub := readPublicKey(t, filepath.Join(node4.dir, "keys/agency.key"))
	change := filepath.Join(tc.dir, "add-node4.json")
	r := ha(t, nil, "--config", members[0].config, "cluster", "member", "propose", "--add", "node4", "--name", "Agency 4",
		"--public-key", pub, "--raft-addr", node4.raftAddr, "--api-addr", node4.apiAddr, "--out", change)
	mustCode(t, r, 0, "member propose")
	mustCode(t, ha(t, nil, "--config", members[0].config, "cluster", "member", "sign", change), 0, "sign by node1")
	r = ha(t, nil, "--config", members[0].config, "cluster", "member", "submit", change)
	if r.code != 1 || !strings.Contains(r.stderr, "1 of 3 members signed") {
		t.Fatalf("submit with 1 of 3 signatures: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	mustCode(t, ha(t, nil, "--config", members[1].config, "cluster", "member", "sign", change), 0, "sign by node2")
	r = ha(t, nil, "--config", members[2].config, "cluster", "member", "submit", change)
	mustCode(t, r, 0, "submit with 2 of 3 signatures")

	nd4 := tc.add("node4")
	tc.waitFor("node4 a voter", 20*time.Second, func() bool { return suffrage(tc, tc.leader(members), "node4") == "voter" })
	// node4 anchors once every member's chain, its own included, holds
	// the block that made it a member: a node that has not applied it yet
	// refuses node4's request (only members may anchor), and a request
	// may reach any of them before it is forwarded to the leader.
	for _, nd := range append([]*clusterNode{nd4}, members...) {
		tc.waitFor(nd.id+" holding node4's membership block", 20*time.Second, func() bool {
			st, ok := tc.status(nd)
			if !ok {
				return false
			}
			for _, m := range st.Members {
				if m.ID == "node4" && m.Name != "" {
					return true
				}
			}
			return false
		})
	}
	h = tc.anchor(nd4, "new-member", 1)
	head := tc.sameHeads(tc.nodes, h)
	for _, nd := range tc.nodes {
		st, _ := tc.status(nd)
		if len(st.Members) < 4 {
			t.Errorf("%s lists %d members, want the 4 agencies and the observer", nd.id, len(st.Members))
		}
	}
	r = ha(t, nil, "--config", obs.config, "chain", "compare", "--peer", nd4.cfg.APIAddr)
	mustCode(t, r, 0, "observer compares with node4")
	r = ha(t, nil, "--config", obs.config, "verify", "chain")
	mustCode(t, r, 0, "verify chain on an observer, which has no agency key")
	if !strings.Contains(r.stdout, "(observer)") {
		t.Errorf("verify chain on an observer: %s", r.stdout)
	}
	t.Logf("4 members and an observer agree at height %d, head %s", h, head)

	// Removing node4 takes 3 of the 4 members; it then leaves the Raft
	// configuration and can no longer anchor.
	remove := filepath.Join(tc.dir, "remove-node4.json")
	mustCode(t, ha(t, nil, "--config", members[0].config, "cluster", "member", "propose", "--remove", "node4", "--out", remove), 0, "propose removal")
	for _, nd := range members {
		mustCode(t, ha(t, nil, "--config", nd.config, "cluster", "member", "sign", remove), 0, "sign removal by "+nd.id)
	}
	mustCode(t, ha(t, nil, "--config", members[1].config, "cluster", "member", "submit", remove), 0, "submit removal")
	tc.waitFor("node4 out of the Raft configuration", 20*time.Second, func() bool { return suffrage(tc, tc.leader(members), "node4") == "" })
	r = ha(t, nil, "--config", nd4.config, "cluster", "anchor-test", "--prefix", "removed", "--timeout", "5s")
	if r.code == 0 {
		t.Fatalf("a removed member anchored: %s", r.stdout)
	}
	t.Logf("removed member refused: %s", strings.TrimSpace(r.stderr))
	h = tc.anchor(members[0], "after-removal", 1)
	tc.sameHeads(append([]*clusterNode{obs}, members...), h)
}

// suffrage returns id's suffrage in nd's status.
func suffrage(tc *testCluster, nd *clusterNode, id string) string {
	st, ok := tc.status(nd)
	if !ok {
		return ""
	}
	for _, m := range st.Members {
		if m.ID == id {
			return m.Suffrage
		}
	}
	return ""
}

type agencyFolder struct {
	dir, raftAddr, apiAddr string
}

// newAgencyFolder lays out DIR/id as a new agency would: its keys, a
// certificate from the consortium CA, the genesis, and a config listing
// the three members and itself as peers, with no jobs and no Raft state.
func newAgencyFolder(t *testing.T, tc *testCluster, id string) agencyFolder {
	t.Helper()
	dir := filepath.Join(tc.dir, id)
	for _, sub := range []string{"keys", "tls", "raft"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	if err := anchor.WriteSigningKey(filepath.Join(dir, "keys/agency.key"), anchor.GenerateSigningKey()); err != nil {
		t.Fatal(err)
	}
	if err := anchor.WriteNewSaltKey(filepath.Join(dir, "keys/salt.key")); err != nil {
		t.Fatal(err)
	}
	ca, err := replication.LoadCA(filepath.Join(tc.dir, "ca/ca.crt"), filepath.Join(tc.dir, "ca/ca.key"))
	if err != nil {
		t.Fatal(err)
	}
	cert, key, err := ca.Issue(id, []string{"127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	genesis, err := os.ReadFile(filepath.Join(tc.nodes[0].dir, "genesis.json"))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{"tls/ca.crt": ca.CertPEM(), "tls/node.crt": cert, "tls/node.key": key, "genesis.json": genesis}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	ports := make([]string, 3)
	for i := range ports {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ports[i] = ln.Addr().String()
		defer ln.Close()
	}
	var peers strings.Builder
	for _, nd := range tc.nodes[:3] {
		fmt.Fprintf(&peers, "    - {id: %s, raft_addr: %q, api_addr: %q}\n", nd.id, nd.cfg.RaftAddr, nd.cfg.APIAddr)
	}
	fmt.Fprintf(&peers, "    - {id: %s, raft_addr: %q, api_addr: %q}\n", id, ports[0], ports[1])
	cfg := fmt.Sprintf(`agency: {id: %s, name: Agency 4, key_file: keys/agency.key, salt_key_file: keys/salt.key}
chain: {path: chain.db, genesis: genesis.json}
listen: %s
jobs: []
cluster:
  node_id: %s
  raft_addr: %q
  api_addr: %q
  data_dir: raft
  tls: {ca_file: tls/ca.crt, cert_file: tls/node.crt, key_file: tls/node.key}
  peers:
%s`, id, ports[2], id, ports[0], ports[1], peers.String())
	if err := os.WriteFile(filepath.Join(dir, "healthanchor.yaml"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	return agencyFolder{dir: dir, raftAddr: ports[0], apiAddr: ports[1]}
}

func readPublicKey(t *testing.T, path string) string {
	t.Helper()
	key, err := anchor.ReadSigningKey(path)
	if err != nil {
		t.Fatal(err)
	}
	return anchor.EncodePublicKey(key.Public().(ed25519.PublicKey))
}
