package replication

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/raft"

	"github.com/healthanchor/healthanchor/anchor"
)

// ProposeMembership commits a membership change (signed by a majority of
// the current members) in a block of its own, and returns that block
// once it is stored on this node. A follower forwards it to the leader.
// After the block, every node checks manifests and blocks against the
// new member set, and the leader brings the Raft configuration to it
// (reconcile). A change already on the chain returns its block.
func (n *Node) ProposeMembership(ctx context.Context, change anchor.MembershipChange) (anchor.Block, error) {
	if n.cfg.Observer {
		return anchor.Block{}, fmt.Errorf("%w: an observer cannot propose", ErrRejected)
	}
	var last error
	for attempt := 0; attempt < maxAttempts; attempt++ {
		if b, ok, err := n.membershipBlock(ctx, change); err != nil || ok {
			return b, err
		}
		members, epoch, err := n.chain.Membership(ctx)
		if err != nil {
			return anchor.Block{}, fmt.Errorf("replication: %w", err)
		}
		if _, err := change.Apply(n.chain.ChainID(), epoch, members); err != nil {
			return anchor.Block{}, fmt.Errorf("%w: %v", ErrRejected, err)
		}
		var b anchor.Block
		if n.isLeader() {
			s := &submission{membership: &change, done: make(chan applyResult, 1)}
			b, err = n.await(ctx, s)
		} else if _, addr, ok := n.leaderAPI(); ok {
			b, err = n.client.submitMembership(ctx, addr, change, true)
		} else {
			err = fmt.Errorf("%w: no leader known", ErrUnavailable)
		}
		if err == nil {
			return n.committedHere(ctx, b)
		}
		if !errors.Is(err, ErrUnavailable) {
			return anchor.Block{}, err
		}
		last = err
		select {
		case <-ctx.Done():
			return anchor.Block{}, fmt.Errorf("replication: membership: %w (last: %v)", ctx.Err(), last)
		case <-time.After(250 * time.Millisecond):
		}
	}
	return anchor.Block{}, fmt.Errorf("replication: membership: gave up after %d attempts: %w", maxAttempts, last)
}

// membershipBlock finds a block carrying exactly change among the chain's
// last blocks.
func (n *Node) membershipBlock(ctx context.Context, change anchor.MembershipChange) (anchor.Block, bool, error) {
	want, err := anchor.Canonical(change)
	if err != nil {
		return anchor.Block{}, false, fmt.Errorf("replication: %w", err)
	}
	head := n.fsm.state().Head.Height
	for h := head; h > 0 && h > head-1024; h-- {
		b, err := n.chain.Block(ctx, h)
		if err != nil {
			return anchor.Block{}, false, fmt.Errorf("replication: %w", err)
		}
		if b.Membership == nil {
			continue
		}
		got, err := anchor.Canonical(*b.Membership)
		if err != nil {
			return anchor.Block{}, false, fmt.Errorf("replication: %w", err)
		}
		if bytes.Equal(got, want) {
			return b, true, nil
		}
	}
	return anchor.Block{}, false, nil
}

// proposeMembership builds, signs and commits the block of one change
// (leader only).
func (n *Node) proposeMembership(s *submission) {
	if !n.isLeader() {
		s.done <- applyResult{Err: fmt.Errorf("%w: not the leader", ErrUnavailable)}
		return
	}
	st := n.fsm.state()
	if st.Halted != nil {
		s.done <- applyResult{Err: st.Halted}
		return
	}
	if st.Corrupt != nil {
		s.done <- applyResult{Err: errCorrupt}
		return
	}
	b := anchor.Block{
		Version: anchor.BlockVersion, ChainID: n.chain.ChainID(), Height: st.Head.Height + 1, PrevHash: st.HeadHash,
		Time: time.Now().UTC().Format(time.RFC3339), Proposer: n.agency, Manifests: []anchor.Manifest{},
		LogSize: st.Head.LogSize, LogRoot: st.Head.LogRoot, Membership: s.membership,
	}
	if err := b.Sign(n.key); err != nil {
		s.done <- applyResult{Err: fmt.Errorf("replication: sign block: %w", err)}
		return
	}
	s.done <- n.commit(b)
}

// reconcileInterval is how often the leader checks that the Raft
// configuration matches the chain's members.
const reconcileInterval = 2 * time.Second

// reconcileLoop keeps the Raft configuration in step with the chain's
// members while this node leads: after each membership block, and
// periodically (so that a leader lost between the block and the
// configuration change is made up for by the next one).
func (n *Node) reconcileLoop(ctx context.Context) {
	tick := time.NewTicker(reconcileInterval)
	defer tick.Stop()
	for {
		if n.raft != nil && n.isLeader() {
			n.reconcile()
		}
		select {
		case <-ctx.Done():
			return
		case <-n.fsm.membersChanged:
		case <-tick.C:
		}
	}
}

// reconcile makes every current member a voter (adding it, or promoting
// an observer) and removes voters that are no longer members, itself
// last. Observers (non-voters that are not members) are left alone.
func (n *Node) reconcile() {
	f := n.raft.GetConfiguration()
	if err := f.Error(); err != nil {
		n.logger.Warn("raft configuration unreadable", logErr, err)
		return
	}
	servers := map[string]raft.Server{}
	for _, sv := range f.Configuration().Servers {
		servers[string(sv.ID)] = sv
	}
	want := map[string]bool{}
	for _, m := range n.fsm.memberList() {
		want[m.ID] = true
		sv, ok := servers[m.ID]
		if ok && sv.Suffrage == raft.Voter {
			continue
		}
		addr := m.RaftAddr
		if p, found := n.cfg.Peer(m.ID); addr == "" && found {
			addr = p.RaftAddr
		}
		if addr == "" && ok {
			addr = string(sv.Address)
		}
		if addr == "" {
			n.logger.Warn("member has no known Raft address: it cannot be made a voter", logPeer, m.ID)
			continue
		}
		if err := n.raft.AddVoter(raft.ServerID(m.ID), raft.ServerAddress(addr), 0, applyTimeout).Error(); err != nil {
			n.warnEvery("add-voter", m.ID, "adding member as voter failed; retrying later", logErr, err)
			return
		}
		n.logger.Info("member added to the Raft configuration as a voter", logPeer, m.ID, "raft_addr", addr)
	}
	self := false
	for id, sv := range servers {
		if sv.Suffrage != raft.Voter || want[id] {
			continue
		}
		if id == n.cfg.NodeID {
			self = true
			continue
		}
		if err := n.raft.RemoveServer(raft.ServerID(id), 0, applyTimeout).Error(); err != nil {
			n.warnEvery("remove-voter", id, "removing a former member failed; retrying later", logErr, err)
			return
		}
		n.logger.Info("former member removed from the Raft configuration", logPeer, id)
	}
	if self {
		n.logger.Info("this node is no longer a member: leaving the Raft configuration")
		if err := n.raft.RemoveServer(raft.ServerID(n.cfg.NodeID), 0, applyTimeout).Error(); err != nil {
			n.logger.Warn("leaving the Raft configuration failed", logErr, err)
		}
	}
}
