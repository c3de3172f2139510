package replication

import (
	"errors"
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
