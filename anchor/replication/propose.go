package replication

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/healthanchor/healthanchor/anchor"
)

// submission is one Anchor call waiting for the leader's next block. Its
// manifests always go into the same block, in order.
type submission struct {
	manifests  []anchor.Manifest
	entries    []anchor.Entry           // signed entries, in the same block as the manifests
	membership *anchor.MembershipChange // a membership change, proposed in a block of its own
	done       chan applyResult         // buffered, written once
	queued     time.Time                // when it reached the proposer's queue
}

// Errors a submitter sees. ErrRejected is final: the manifests are wrong
// (not signed by a member, wrong chain, producer_seq gap) and retrying
// will not help. ErrUnavailable means the outcome is unknown (no leader,
// leadership lost, timeout): retry the same manifests, which is safe
// because a batch id is anchored at most once.
var (
	ErrRejected    = errors.New("replication: manifests rejected")
	ErrUnavailable = errors.New("replication: cluster unavailable")
)

const applyTimeout = 10 * time.Second

// proposeLoop runs on every member; it only proposes while this node
// leads. It proposes one block at a time and waits until it is applied
// before the next, so that each block builds on the one before; the
// submissions that arrive meanwhile queue, and the next block takes all
// of them (group commit: one Raft entry and one fsync per node for
// many submissions). A batch window, when set, waits that long more for
// submissions after the first; a full block is proposed at once.
func (n *Node) proposeLoop(ctx context.Context) {
	needBarrier := true
	for {
		var batch []*submission
		select {
		case <-ctx.Done():
			return
		case leader := <-n.leaderCh:
			needBarrier = needBarrier || leader
			continue
		case s := <-n.submit:
			batch = append(batch, s)
		}
		batch, ok := n.collect(ctx, batch)
		if !ok {
			answerAll(batch, applyResult{Err: fmt.Errorf("%w: node shutting down", ErrUnavailable)})
			return
		}
		if needBarrier && n.isLeader() {
			// A new leader first applies everything committed before it.
			if err := n.raft.Barrier(applyTimeout).Error(); err != nil {
				answerAll(batch, applyResult{Err: fmt.Errorf("%w: barrier: %v", ErrUnavailable, err)})
				continue
			}
			needBarrier = false
		}
		n.proposeBlock(ctx, batch)
	}
}

// collect adds to batch the submissions queued behind its first, until
// the block is full: those waiting now, and with a batch window those
// arriving within it. It reports false when ctx ends.
func (n *Node) collect(ctx context.Context, batch []*submission) ([]*submission, bool) {
	count := 0
	for _, s := range batch {
		count += len(s.manifests) + len(s.entries)
	}
	var window <-chan time.Time
	if n.cfg.window > 0 {
		timer := time.NewTimer(n.cfg.window)
		defer timer.Stop()
		window = timer.C
	}
	for count < n.cfg.MaxBlockManifests {
		select {
		case s := <-n.submit:
			batch = append(batch, s)
			count += len(s.manifests) + len(s.entries)
			continue
		case <-ctx.Done():
			return batch, false
		default:
		}
		if window == nil {
			return batch, true // nothing more queued, no window
		}
		select {
		case s := <-n.submit:
			batch = append(batch, s)
			count += len(s.manifests) + len(s.entries)
		case <-window:
			return batch, true
		case <-ctx.Done():
			return batch, false
		}
	}
	return batch, true
}

func answerAll(batch []*submission, r applyResult) {
	for _, s := range batch {
		s.done <- r
	}
}

// proposeBlock proposes the batch's manifests in one block, then each
// membership change in a block of its own.
func (n *Node) proposeBlock(ctx context.Context, batch []*submission) {
	var plain []*submission
	var changes []*submission
	for _, s := range batch {
		if s.membership != nil {
			changes = append(changes, s)
		} else {
			plain = append(plain, s)
		}
	}
	if len(plain) > 0 {
		n.proposeManifests(ctx, plain)
	}
	for _, s := range changes {
		n.proposeMembership(s)
	}
}

// proposeManifests admits each submission against the applied head,
// packs the admitted ones into the next block, signs it and replicates it.
func (n *Node) proposeManifests(ctx context.Context, batch []*submission) {
	if !n.isLeader() {
		answerAll(batch, applyResult{Err: fmt.Errorf("%w: not the leader", ErrUnavailable)})
		return
	}
	st := n.fsm.state()
	if st.Halted != nil {
		answerAll(batch, applyResult{Err: st.Halted})
		return
	}
	if st.Corrupt != nil {
		answerAll(batch, applyResult{Err: errCorrupt})
		return
	}
	start := time.Now()
	n.metrics.observeStage(stageQueue, start.Sub(batch[0].queued))
	var manifests []anchor.Manifest
	var entries []anchor.Entry
	var included []*submission
	adm := newAdmission(n.chain)
	for _, s := range batch {
		if err := adm.admit(ctx, s.manifests); err != nil {
			s.done <- applyResult{Err: err}
			continue
		}
		if err := adm.admitEntries(ctx, s.entries); err != nil {
			s.done <- applyResult{Err: err}
			continue
		}
		manifests = append(manifests, s.manifests...)
		entries = append(entries, s.entries...)
		included = append(included, s)
	}
	if len(included) == 0 {
		return
	}
	b, err := n.buildBlock(st, manifests, entries)
	if err != nil {
		answerAll(included, applyResult{Err: err})
		return
	}
	n.metrics.observeStage(stageBuild, time.Since(start))
	answerAll(included, n.commit(b))
}

// commit replicates a signed block through Raft and returns what the
// state machine made of it.
func (n *Node) commit(b anchor.Block) applyResult {
	data, err := encodeBlockEntry(b)
	if err != nil {
		return applyResult{Err: err}
	}
	start := time.Now()
	f := n.raft.Apply(data, applyTimeout)
	if err := f.Error(); err != nil {
		return applyResult{Err: fmt.Errorf("%w: block %d: %v", ErrUnavailable, b.Height, err)}
	}
	n.metrics.observeStage(stageReplicate, time.Since(start))
	res, _ := f.Response().(applyResult)
	if res.Err != nil {
		// The block was committed but every node refused it (stale head
		// after a leadership change): the submitters may retry.
		return applyResult{Err: fmt.Errorf("%w: %v", ErrUnavailable, res.Err)}
	}
	n.logger.Info("block committed", logHeight, b.Height, logManifests, len(b.Manifests), "membership", b.Membership != nil)
	return res
}

// buildBlock makes and signs the block after st's head.
func (n *Node) buildBlock(st fsmState, manifests []anchor.Manifest, entries []anchor.Entry) (anchor.Block, error) {
	if manifests == nil {
		manifests = []anchor.Manifest{}
	}
	b := anchor.Block{
		Version: anchor.BlockVersion, ChainID: n.chain.ChainID(), Height: st.Head.Height + 1, PrevHash: st.HeadHash,
		Time: time.Now().UTC().Format(time.RFC3339), Proposer: n.agency, Manifests: manifests, Entries: entries,
	}
	if err := appendLeaves(st.Tree, b); err != nil {
		return anchor.Block{}, err
	}
	b.LogSize = int64(st.Tree.Size())
	b.LogRoot = fmt.Sprintf("%x", st.Tree.Root())
	if err := b.Sign(n.key); err != nil {
		return anchor.Block{}, fmt.Errorf("replication: sign block: %w", err)
	}
	return b, nil
}

// admission checks submissions for one block against the chain and the
// submissions admitted before them, as the state machine will.
type admission struct {
	chain   *anchor.Chain
	inBlock map[string]bool
	seqs    map[string]int64
	entries map[string]bool // ids of the entries admitted
}

func newAdmission(chain *anchor.Chain) *admission {
	return &admission{chain: chain, inBlock: map[string]bool{}, seqs: map[string]int64{}, entries: map[string]bool{}}
}

// admit accepts all of ms or none.
func (a *admission) admit(ctx context.Context, ms []anchor.Manifest) error {
	inBlock := map[string]bool{}
	seqs := map[string]int64{}
	for _, m := range ms {
		if m.ChainID != a.chain.ChainID() {
			return fmt.Errorf("%w: batch %s is for chain %q, not %q", ErrRejected, m.BatchID, m.ChainID, a.chain.ChainID())
		}
		pub, ok := a.chain.MemberKey(m.Agency)
		if !ok {
			return fmt.Errorf("%w: batch %s: agency %q is not a member", ErrRejected, m.BatchID, m.Agency)
		}
		if err := m.Verify(pub); err != nil {
			return fmt.Errorf("%w: %v", ErrRejected, err)
		}
		_, onChain, err := a.chain.Lookup(ctx, m.BatchID)
		if err != nil {
			return fmt.Errorf("%w: %v", ErrUnavailable, err)
		}
		if onChain || a.inBlock[m.BatchID] || inBlock[m.BatchID] {
			return fmt.Errorf("replication: batch %s: %w", m.BatchID, anchor.ErrDuplicateBatch)
		}
		inBlock[m.BatchID] = true
		want, ok := seqs[m.Agency]
		if !ok {
			if want, ok = a.seqs[m.Agency]; !ok {
				if want, err = a.chain.NextProducerSeq(ctx, m.Agency); err != nil {
					return fmt.Errorf("%w: %v", ErrUnavailable, err)
				}
			}
		}
		if m.ProducerSeq != want {
			return fmt.Errorf("%w: batch %s: agency %s producer_seq %d, want %d (gapless)", ErrRejected, m.BatchID, m.Agency, m.ProducerSeq, want)
		}
		seqs[m.Agency] = want + 1
	}
	for id := range inBlock {
		a.inBlock[id] = true
	}
	for ag, s := range seqs {
		a.seqs[ag] = s
	}
	return nil
}
