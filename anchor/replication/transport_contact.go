package replication

import (
	"io"

	"github.com/hashicorp/raft"
)

// The client half's calls are wrapped to record, for health, whether
// each peer answered (see contacts); pipelined appends are not, as the
// leader's heartbeats reach every follower several times a second anyway.

// AppendEntries sends an append (or a heartbeat) to a peer; a reply
// also gives the peer's last log index, from which the leader knows how
// far behind it is.
func (t *rpcTransport) AppendEntries(id raft.ServerID, target raft.ServerAddress, args *raft.AppendEntriesRequest, resp *raft.AppendEntriesResponse) error {
	err := t.NetworkTransport.AppendEntries(id, target, args, resp)
	t.record(id, err)
	if err == nil {
		t.contacts.lastLog(string(id), resp.LastLog)
	}
	return err
}

// RequestVote asks a peer for its vote.
func (t *rpcTransport) RequestVote(id raft.ServerID, target raft.ServerAddress, args *raft.RequestVoteRequest, resp *raft.RequestVoteResponse) error {
	err := t.NetworkTransport.RequestVote(id, target, args, resp)
	t.record(id, err)
	return err
}

// RequestPreVote asks a peer whether it would vote.
func (t *rpcTransport) RequestPreVote(id raft.ServerID, target raft.ServerAddress, args *raft.RequestPreVoteRequest, resp *raft.RequestPreVoteResponse) error {
	err := t.NetworkTransport.RequestPreVote(id, target, args, resp)
	t.record(id, err)
	return err
}

// InstallSnapshot sends a snapshot to a peer.
func (t *rpcTransport) InstallSnapshot(id raft.ServerID, target raft.ServerAddress, args *raft.InstallSnapshotRequest, resp *raft.InstallSnapshotResponse, data io.Reader) error {
	err := t.NetworkTransport.InstallSnapshot(id, target, args, resp, data)
	t.record(id, err)
	return err
}

// TimeoutNow asks a peer to start an election.
func (t *rpcTransport) TimeoutNow(id raft.ServerID, target raft.ServerAddress, args *raft.TimeoutNowRequest, resp *raft.TimeoutNowResponse) error {
	err := t.NetworkTransport.TimeoutNow(id, target, args, resp)
	t.record(id, err)
	return err
}

func (t *rpcTransport) record(id raft.ServerID, err error) {
	if err != nil {
		t.contacts.failed(string(id))
		return
	}
	t.contacts.ok(string(id))
}
