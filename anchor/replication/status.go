package replication

import (
	"context"

	"github.com/hashicorp/raft"
)

// Status is a node's view of the cluster, for `chain status --json`.
type Status struct {
	NodeID   string `json:"node_id"`
	ChainID  string `json:"chain_id"`
	Height   int64  `json:"height"`
	HeadHash string `json:"head_hash"`
	LogSize  int64  `json:"log_size"`
	LogRoot  string `json:"log_root"`
	Leader   string `json:"leader"`
	Role     string `json:"role"` // leader, follower, candidate, observer, shutdown
	// Ready is false when the node cannot serve the chain, with the
	// reason in NotReady (see Health); always false offline.
	Ready    bool           `json:"ready"`
	NotReady string         `json:"not_ready,omitempty"`
	Members  []MemberStatus `json:"members"`
	// RejectedEntries counts log entries the state machine refused.
	RejectedEntries int64  `json:"rejected_entries"`
	LastRejection   string `json:"last_rejection,omitempty"`
	// Corrupt is set when the local chain store fails verification.
	Corrupt string `json:"corrupt,omitempty"`
	// Halted is set when the state machine stopped applying entries
	// because the Raft log contradicts a block it already applied: the
	// node's history forked from the cluster's (see Forks).
	Halted string `json:"halted,omitempty"`
	// Checkpoint is the latest checkpoint this node holds.
	Checkpoint *CheckpointStatus `json:"checkpoint,omitempty"`
	// Forks lists validly signed checkpoints that disagree with the
	// local chain: evidence that some node holds another history.
	Forks []Fork `json:"forks"`
}

// MemberStatus is one node of the chain or the Raft configuration.
type MemberStatus struct {
	ID       string `json:"id"`
	Name     string `json:"name,omitempty"`
	Address  string `json:"address,omitempty"`
	Suffrage string `json:"suffrage"` // voter, observer, or none (member not in the Raft configuration)
	// PeerReach is this node's view of the node (reachability "self" for
	// itself), completed on a follower by the leader's view.
	PeerReach
}

// CheckpointStatus summarises the latest checkpoint.
type CheckpointStatus struct {
	LogSize    int64 `json:"log_size"`
	Signatures int   `json:"signatures"`
}

// Status reports the node's chain head, leader, role and membership.
func (n *Node) Status() Status {
	st := n.fsm.state()
	s := Status{
		NodeID: n.cfg.NodeID, ChainID: n.chain.ChainID(), Height: st.Head.Height, HeadHash: st.HeadHash,
		LogSize: st.Head.LogSize, LogRoot: st.Head.LogRoot, Role: n.role(),
		RejectedEntries: st.Rejected, LastRejection: st.LastReject, Members: []MemberStatus{}, Forks: []Fork{},
	}
	if st.Corrupt != nil {
		s.Corrupt = st.Corrupt.Error()
	}
	if st.Halted != nil {
		s.Halted = st.Halted.Error()
	}
	health := n.Health()
	s.Ready, s.NotReady = health.Ready, health.Reason
	now := n.contacts.now()
	reach := func(id string) PeerReach {
		if id == n.cfg.NodeID {
			return PeerReach{Reachability: Self}
		}
		return n.reach(id, now)
	}
	_, leader := n.raft.LeaderWithID()
	s.Leader = string(leader)
	suffrage := map[string]string{}
	var servers []raft.Server
	if f := n.raft.GetConfiguration(); f.Error() == nil {
		servers = f.Configuration().Servers
	}
	for _, sv := range servers {
		suffrage[string(sv.ID)] = "voter"
		if sv.Suffrage != raft.Voter {
			suffrage[string(sv.ID)] = "observer"
		}
	}
	for _, m := range n.fsm.memberList() {
		sf := suffrage[m.ID]
		if sf == "" {
			sf = "none"
		}
		s.Members = append(s.Members, MemberStatus{ID: m.ID, Name: m.Name, Address: m.Address, Suffrage: sf, PeerReach: reach(m.ID)})
	}
	for _, sv := range servers {
		if !n.isMember(string(sv.ID)) {
			s.Members = append(s.Members, MemberStatus{ID: string(sv.ID), Address: string(sv.Address), Suffrage: suffrage[string(sv.ID)], PeerReach: reach(string(sv.ID))})
		}
	}
	if n.ckpt != nil {
		ctx := context.Background()
		if size, sigs, err := n.ckpt.latestInfo(ctx); err == nil && size > 0 {
			s.Checkpoint = &CheckpointStatus{LogSize: size, Signatures: sigs}
		}
		if forks, err := n.ckpt.forks(ctx); err == nil {
			s.Forks = forks
		}
	}
	return s
}

func (n *Node) role() string {
	switch n.raft.State() {
	case raft.Leader:
		return "leader"
	case raft.Candidate:
		return "candidate"
	case raft.Shutdown:
		return "shutdown"
	}
	if n.cfg.Observer {
		return "observer"
	}
	return "follower"
}
