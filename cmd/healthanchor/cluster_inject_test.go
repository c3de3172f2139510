package main

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/raft"

	"github.com/healthanchor/healthanchor/anchor"
	"github.com/healthanchor/healthanchor/anchor/replication"
)

// TestClusterRaftInjectionRefused plays an admitted certificate holder
// writing into a follower's Raft log behind the leader's back: a member
// claiming to be the leader (with a block it signed itself), and an
// observer claiming to be the leader (with a garbage entry). Each RPC
// must be refused, no node may diverge, and every node's `verify chain`
// must report the same head.
func TestClusterRaftInjectionRefused(t *testing.T) {
	tc := newTestClusterWith(t, 3, 1)
	members := tc.nodes[:3]
	lead := tc.leader(members)
	h := tc.anchor(lead, "before", 1)
	tc.sameHeads(tc.nodes, h)
	followers := others(members, lead)
	victim, attacker := followers[0], followers[1]
	observer := tc.nodes[3]

	st, _ := tc.status(victim)
	forged := anchor.Block{
		Version: anchor.BlockVersion, ChainID: st.ChainID, Height: st.Height + 1, PrevHash: st.HeadHash,
		Time: time.Now().UTC().Format(time.RFC3339), Proposer: attacker.id, Manifests: []anchor.Manifest{},
		LogSize: st.LogSize, LogRoot: st.LogRoot,
	}
	key, err := anchor.ReadSigningKey(filepath.Join(attacker.dir, "keys", "agency.key"))
	if err != nil {
		t.Fatal(err)
	}
	if err := forged.Sign(key); err != nil {
		t.Fatal(err)
	}
	entry, err := anchor.Canonical(struct {
		Kind  string        `json:"kind"`
		Block *anchor.Block `json:"block"`
	}{"block", &forged})
	if err != nil {
		t.Fatal(err)
	}

	cases := []struct {
		name string
		from *clusterNode // whose certificate is used
		data []byte
	}{
		{"member certificate claiming to be the leader", attacker, entry},
		{"observer certificate claiming to be the leader", observer, []byte("not an entry")},
	}
	for _, c := range cases {
		err := injectAppend(t, c.from, victim, lead, c.data)
		if err == nil {
			t.Errorf("%s: %s accepted the AppendEntries", c.name, victim.id)
		} else if !strings.Contains(err.Error(), "refused") {
			t.Errorf("%s: %v, want a refusal", c.name, err)
		}
	}

	// The cluster goes on as one chain.
	h = tc.anchor(lead, "after", 1)
	tc.sameHeads(tc.nodes, h)
	var head string
	for _, nd := range tc.nodes {
		got := verifiedHead(t, nd)
		if head != "" && got != head {
			t.Errorf("%s verifies head %s, another node %s", nd.id, got, head)
		}
		head = got
		if st, _ := tc.status(nd); st.RejectedEntries != 0 || st.Halted != "" || len(st.Forks) != 0 {
			t.Errorf("%s: rejected %d, halted %q, forks %d", nd.id, st.RejectedEntries, st.Halted, len(st.Forks))
		}
	}
	if !strings.Contains(tc.logs(), "raft rpc refused") {
		t.Errorf("no refusal in the logs:\n%s", tc.logs())
	}
}

// verifiedHead runs `verify chain` on a member's store; an observer,
// which holds no agency key for the CLI to load, has its store verified
// in place.
func verifiedHead(t *testing.T, nd *clusterNode) string {
	t.Helper()
	if nd.cfg.Observer {
		c, err := anchor.OpenChain(filepath.Join(nd.dir, "chain.db"))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		rep, err := c.Verify(context.Background())
		if err != nil {
			t.Fatalf("%s: verify chain: %v", nd.id, err)
		}
		return rep.HeadHash
	}
	r := ha(t, nil, "--config", nd.config, "verify", "chain", "--json")
	mustCode(t, r, 0, nd.id+" verify chain")
	var rep struct {
		HeadHash string `json:"head_hash"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil || rep.HeadHash == "" {
		t.Fatalf("%s: verify chain --json: %v\n%s", nd.id, err, r.stdout)
	}
	return rep.HeadHash
}

// injectAppend sends victim one AppendEntries over mutual TLS with the
// certificate of from, claiming to come from claim, that appends data
// after the victim's last log entry and commits it.
func injectAppend(t *testing.T, from, victim, claim *clusterNode, data []byte) error {
	t.Helper()
	cfg, err := replication.LoadTLS(from.cfg.TLS, from.dir, func(string) bool { return true })
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	trans := raft.NewNetworkTransportWithConfig(&raft.NetworkTransportConfig{
		Stream: &dialStream{Listener: ln, cfg: cfg}, MaxPool: 1, Timeout: 5 * time.Second,
		Logger: hclog.NewNullLogger(),
	})
	defer trans.Close()
	idx, term := lastLog(t, victim)
	req := &raft.AppendEntriesRequest{
		RPCHeader: raft.RPCHeader{ProtocolVersion: raft.ProtocolVersionMax, ID: []byte(claim.id), Addr: []byte(claim.cfg.RaftAddr)},
		Term:      term, PrevLogEntry: idx, PrevLogTerm: term, LeaderCommitIndex: idx + 1,
		Entries: []*raft.Log{{Index: idx + 1, Term: term, Type: raft.LogCommand, Data: data}},
	}
	var resp raft.AppendEntriesResponse
	if err := trans.AppendEntries(raft.ServerID(victim.id), raft.ServerAddress(victim.cfg.RaftAddr), req, &resp); err != nil {
		return err
	}
	if !resp.Success {
		return fmt.Errorf("AppendEntries not successful (term %d) but not refused either", resp.Term)
	}
	return nil
}

// lastLog reads the index and term of the last entry in nd's Raft log.
func lastLog(t *testing.T, nd *clusterNode) (uint64, uint64) {
	t.Helper()
	db, err := anchor.OpenDB(filepath.Join(nd.dir, nd.cfg.DataDir, "raft.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var idx, term uint64
	if err := db.QueryRow(`SELECT idx, term FROM raft_log ORDER BY idx DESC LIMIT 1`).Scan(&idx, &term); err != nil {
		t.Fatal(err)
	}
	return idx, term
}

// dialStream is a Raft stream layer that only dials, over mutual TLS.
type dialStream struct {
	net.Listener
	cfg *tls.Config
}

func (s *dialStream) Dial(addr raft.ServerAddress, timeout time.Duration) (net.Conn, error) {
	c := s.cfg.Clone()
	c.ServerName, _, _ = net.SplitHostPort(string(addr))
	return tls.DialWithDialer(&net.Dialer{Timeout: timeout}, "tcp", string(addr), c)
}

// TestClusterForkedLogHalts gives a stopped follower a Raft log that no
// longer holds, at an index it applied, the entry it applied there (what
// a false leader's entry later replaced leaves behind). Restarted, it
// must halt loudly with fork evidence, not skip the entry, while the
// others go on.
func TestClusterForkedLogHalts(t *testing.T) {
	tc := newTestCluster(t, 3)
	lead := tc.leader(tc.nodes)
	h := tc.anchor(lead, "before", 2)
	tc.sameHeads(tc.nodes, h)
	victim := others(tc.nodes, lead)[0]
	tc.kill(victim)

	db, err := anchor.OpenDB(filepath.Join(victim.dir, victim.cfg.DataDir, "raft.db"))
	if err != nil {
		t.Fatal(err)
	}
	var idx int64
	if err := db.QueryRow(`SELECT MAX(idx) FROM applied WHERE height > 0`).Scan(&idx); err != nil {
		db.Close()
		t.Fatalf("the applied-index record: %v", err)
	}
	if _, err := db.Exec(`UPDATE raft_log SET data = ? WHERE idx = ?`, []byte(`{"kind":"block","block":null}`), idx); err != nil {
		db.Close()
		t.Fatal(err)
	}
	db.Close()

	tc.start(victim)
	var st replication.Status
	tc.waitFor("the victim to halt", 20*time.Second, func() bool {
		var ok bool
		st, ok = tc.status(victim)
		return ok && st.Halted != ""
	})
	if !strings.Contains(st.Halted, fmt.Sprintf("raft index %d", idx)) {
		t.Errorf("halted: %s", st.Halted)
	}
	found := false
	for _, f := range st.Forks {
		found = found || f.Peer == "raft-log"
	}
	if !found {
		t.Errorf("no raft-log fork evidence: %+v", st.Forks)
	}
	r := ha(t, nil, "--config", victim.config, "chain", "status")
	if !strings.Contains(r.stdout, "HALTED") {
		t.Errorf("chain status does not say HALTED:\n%s", r.stdout)
	}
	if h := getHealthz(t, victim); h.code != 503 || !strings.Contains(h.Reason, "halted on fork evidence") {
		t.Errorf("a halted node's /healthz: %d %q, want 503 halted on fork evidence", h.code, h.Reason)
	}
	log, _ := os.ReadFile(filepath.Join(victim.dir, "node.log"))
	if !strings.Contains(string(log), "FORK") {
		t.Error("no FORK line in the victim's log")
	}

	// The others go on; the halted node applies nothing more.
	rest := others(tc.nodes, victim)
	h2 := tc.anchor(lead, "after", 1)
	tc.sameHeads(rest, h2)
	if st, _ := tc.status(victim); st.Height != h {
		t.Errorf("the halted node moved from height %d to %d", h, st.Height)
	}
}
