package replication

import (
	"crypto/tls"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/raft"
)

func TestAuthorizeRPC(t *testing.T) {
	voters := map[string]string{"node1": "10.0.0.1:7401", "node2": "10.0.0.2:7401"}
	hdr := func(id, addr string) raft.RPCHeader {
		return raft.RPCHeader{ProtocolVersion: raft.ProtocolVersionMax, ID: []byte(id), Addr: []byte(addr)}
	}
	cases := []struct {
		name string
		cert string
		cmd  any
		ok   bool
	}{
		{"leader as itself", "node1", &raft.AppendEntriesRequest{RPCHeader: hdr("node1", "10.0.0.1:7401")}, true},
		{"candidate as itself", "node2", &raft.RequestVoteRequest{RPCHeader: hdr("node2", "10.0.0.2:7401")}, true},
		{"pre-vote as itself", "node2", &raft.RequestPreVoteRequest{RPCHeader: hdr("node2", "10.0.0.2:7401")}, true},
		{"snapshot as itself", "node1", &raft.InstallSnapshotRequest{RPCHeader: hdr("node1", "10.0.0.1:7401")}, true},
		{"timeout-now as itself", "node1", &raft.TimeoutNowRequest{RPCHeader: hdr("node1", "10.0.0.1:7401")}, true},

		{"member claiming another member's id and address", "node2", &raft.AppendEntriesRequest{RPCHeader: hdr("node1", "10.0.0.1:7401")}, false},
		{"member claiming another member's id at its own address", "node2", &raft.AppendEntriesRequest{RPCHeader: hdr("node1", "10.0.0.2:7401")}, false},
		{"member claiming another member's address", "node2", &raft.AppendEntriesRequest{RPCHeader: hdr("node2", "10.0.0.1:7401")}, false},
		{"member with an empty address", "node2", &raft.AppendEntriesRequest{RPCHeader: hdr("node2", "")}, false},
		{"member with no header", "node1", &raft.AppendEntriesRequest{}, false},
		{"removed member as itself", "node3", &raft.AppendEntriesRequest{RPCHeader: hdr("node3", "10.0.0.3:7401")}, false},
		{"snapshot claiming another member", "node2", &raft.InstallSnapshotRequest{RPCHeader: hdr("node1", "10.0.0.1:7401")}, false},
		{"timeout-now claiming another member", "node2", &raft.TimeoutNowRequest{RPCHeader: hdr("node1", "10.0.0.1:7401")}, false},
		{"vote claiming another member", "node2", &raft.RequestVoteRequest{RPCHeader: hdr("node1", "10.0.0.1:7401")}, false},
		{"observer as itself", "auditor", &raft.AppendEntriesRequest{RPCHeader: hdr("auditor", "10.0.0.9:7401")}, false},
		{"observer claiming the leader", "auditor", &raft.AppendEntriesRequest{RPCHeader: hdr("node1", "10.0.0.1:7401")}, false},
		{"observer asking for votes", "auditor", &raft.RequestVoteRequest{RPCHeader: hdr("auditor", "10.0.0.9:7401")}, false},
		{"observer sending a snapshot", "auditor", &raft.InstallSnapshotRequest{RPCHeader: hdr("auditor", "10.0.0.9:7401")}, false},
		{"not a raft request", "node1", "hello", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := authorizeRPC(c.cert, c.cmd, voters)
			if c.ok && err != nil {
				t.Fatalf("refused: %v", err)
			}
			if !c.ok && !errors.Is(err, ErrRPCRefused) {
				t.Fatalf("got %v, want ErrRPCRefused", err)
			}
		})
	}
}

// TestRPCTransportChecksCertificate runs the transport over real mutual
// TLS: RPCs reach Raft (the consumer, or the heartbeat fast path) only
// when their claim matches the certificate that carried them.
func TestRPCTransportChecksCertificate(t *testing.T) {
	ca, err := NewCA("test CA")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "ca.crt"), ca.CertPEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	tlsFor := func(id string) *tls.Config {
		t.Helper()
		cert, key, err := ca.Issue(id, []string{"127.0.0.1"})
		if err != nil {
			t.Fatal(err)
		}
		files := TLSFiles{CAFile: "ca.crt", CertFile: id + ".crt", KeyFile: id + ".key"}
		os.WriteFile(filepath.Join(dir, files.CertFile), cert, 0o600)
		os.WriteFile(filepath.Join(dir, files.KeyFile), key, 0o600)
		cfg, err := LoadTLS(files, dir, func(string) bool { return true })
		if err != nil {
			t.Fatal(err)
		}
		return cfg
	}
	start := func(id string, senders map[string]string) *rpcTransport {
		t.Helper()
		tr, err := newRPCTransport("127.0.0.1:0", "", tlsFor(id), func() map[string]string { return senders }, discard, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { tr.Close() })
		return tr
	}
	const addr1, addr2 = "10.0.0.1:7401", "10.0.0.2:7401"
	server := start("node3", map[string]string{"node1": addr1, "node2": addr2})
	target := raft.ServerAddress(server.ln.Addr().String())
	heartbeats := make(chan raft.RPC, 8)
	server.SetHeartbeatHandler(func(rpc raft.RPC) { heartbeats <- rpc; rpc.Respond(&raft.AppendEntriesResponse{Success: true}, nil) })
	go func() {
		for rpc := range server.Consumer() {
			rpc.Respond(&raft.AppendEntriesResponse{Success: true}, nil)
		}
	}()
	clients := map[string]*rpcTransport{"node1": start("node1", nil), "node2": start("node2", nil), "auditor": start("auditor", nil)}

	cases := []struct {
		from, claimID, claimAddr string
		heartbeat, ok            bool
	}{
		{"node1", "node1", addr1, false, true},
		{"node1", "node1", addr1, true, true},
		{"node2", "node1", addr1, false, false},
		{"node2", "node1", addr1, true, false},
		{"node2", "node2", addr1, false, false},
		{"auditor", "node1", addr1, false, false},
		{"auditor", "auditor", "10.0.0.9:7401", true, false},
	}
	for _, c := range cases {
		req := &raft.AppendEntriesRequest{
			RPCHeader: raft.RPCHeader{ProtocolVersion: raft.ProtocolVersionMax, ID: []byte(c.claimID), Addr: []byte(c.claimAddr)},
			Term:      1,
		}
		if !c.heartbeat {
			req.PrevLogEntry, req.PrevLogTerm = 1, 1
		}
		var resp raft.AppendEntriesResponse
		err := clients[c.from].AppendEntries(raft.ServerID("node3"), target, req, &resp)
		switch {
		case c.ok && (err != nil || !resp.Success):
			t.Errorf("%+v: %v, want delivered", c, err)
		case !c.ok && (err == nil || !strings.Contains(err.Error(), ErrRPCRefused.Error())):
			t.Errorf("%+v: %v, want refused", c, err)
		}
	}
	if got := len(heartbeats); got != 1 {
		t.Errorf("%d heartbeats reached Raft, want 1", got)
	}
}
