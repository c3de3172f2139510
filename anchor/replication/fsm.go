package replication

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/hashicorp/raft"

	"github.com/healthanchor/healthanchor/anchor"
	"github.com/healthanchor/healthanchor/anchor/merkle"
)

// fsm is the Raft state machine: it applies each committed block to the
// local chain store through anchor.Chain.Append, which checks it with the
// same deterministic rules as every other node (height, previous hash,
// member proposer, signatures, unique batch ids, gapless producer_seq,
// log root). A block that fails is a recorded no-op: the chain does not
// change, the rejection is counted and logged, and Apply returns the
// reason to the proposer. Nothing in Apply reads a clock or randomness.
type fsm struct {
	chain   *anchor.Chain
	applied appliedLog // the Raft index of every entry applied (fsm_fork.go)
	logger  *slog.Logger
	metrics *metrics // times each apply; nil in tests

	mu         sync.Mutex
	head       anchor.Block
	headHash   string
	tree       *merkle.Tree
	roots      map[int64]string // log_size -> log_root, from the blocks
	members    []anchor.Member  // the chain's current members
	rejected   int64
	lastReject string
	corrupt    error
	halted     error         // the Raft log contradicts an applied entry: nothing more is applied
	changedCh  chan struct{} // closed and replaced after each new block

	// membersChanged receives a value (without blocking) after a
	// membership block or a restore, for the Raft configuration and the
	// TLS allow-list to follow the chain's members.
	membersChanged chan struct{}
	// onFork, when set, is told about a local history that disagreed
	// with a validly signed snapshot and was kept aside as evidence.
	onFork func(restoreFork)
	// onLogFork, when set, is told about a Raft log entry found in place
	// of one this node had applied.
	onLogFork func(logFork)
}

var _ raft.FSM = (*fsm)(nil)

// applyResult is what Apply returns to the proposer's future.
type applyResult struct {
	Block anchor.Block
	Err   error
}

// newFSM verifies the local chain from genesis and loads its head and
// manifest log. A chain that fails verification (edited store) is refused.
// applied is where the Raft index of each applied entry is kept.
func newFSM(ctx context.Context, chain *anchor.Chain, applied appliedLog, logger *slog.Logger) (*fsm, error) {
	if _, err := chain.Verify(ctx); err != nil {
		return nil, fmt.Errorf("replication: the local chain store fails verification, refusing to start (restore it from a peer): %w", err)
	}
	f := &fsm{chain: chain, applied: applied, logger: logger, changedCh: make(chan struct{}), membersChanged: make(chan struct{}, 1)}
	if err := f.load(ctx); err != nil {
		return nil, err
	}
	return f, nil
}

// load reads the head, the manifest log and the members from the chain
// store, after opening it or swapping in a restored one.
func (f *fsm) load(ctx context.Context) error {
	tree, roots := merkle.New(), map[int64]string{}
	head, err := f.chain.Head(ctx)
	if err != nil {
		return fmt.Errorf("replication: %w", err)
	}
	for h := int64(0); h <= head.Height; h++ {
		b, err := f.chain.Block(ctx, h)
		if err != nil {
			return fmt.Errorf("replication: %w", err)
		}
		roots[b.LogSize] = b.LogRoot
		if err := appendLeaves(tree, b); err != nil {
			return err
		}
	}
	members, _, err := f.chain.Membership(ctx)
	if err != nil {
		return fmt.Errorf("replication: %w", err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	headHash, err := head.Hash()
	if err != nil {
		return fmt.Errorf("replication: %w", err)
	}
	f.head, f.headHash = head, headHash
	f.tree, f.roots, f.members, f.corrupt = tree, roots, members, nil
	close(f.changedCh)
	f.changedCh = make(chan struct{})
	f.notifyMembers()
	return nil
}

// notifyMembers signals a membership change without blocking.
func (f *fsm) notifyMembers() {
	select {
	case f.membersChanged <- struct{}{}:
	default:
	}
}

// memberList returns the chain's current members.
func (f *fsm) memberList() []anchor.Member {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]anchor.Member(nil), f.members...)
}

// member returns the current member with id.
func (f *fsm) member(id string) (anchor.Member, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, m := range f.members {
		if m.ID == id {
			return m, true
		}
	}
	return anchor.Member{}, false
}

// Apply applies one committed log entry. The entry's Raft index is
// recorded with it (fsm_fork.go): an index applied before must hold the
// same bytes when Raft replays it, else the node's history forked from
// the cluster's and it halts. A block that fails the chain's rules, that
// does not decode, or that was built on a stale head is a recorded no-op,
// the same on every node.
func (f *fsm) Apply(l *raft.Log) any {
	if l.Type != raft.LogCommand {
		return nil
	}
	ctx := context.Background()
	if err := f.haltedErr(); err != nil {
		return applyResult{Err: err}
	}
	rec := appliedEntry{Index: l.Index, EntryHash: entryHash(l.Data)}
	prev, seen, err := f.applied.appliedAt(ctx, l.Index)
	if err != nil {
		return f.halt(l.Index, err)
	}
	if seen && prev.EntryHash != rec.EntryHash {
		return f.logForked(prev, l)
	}
	e, err := decodeEntry(l.Data)
	if err != nil {
		f.logger.Error("UNDECODABLE RAFT LOG ENTRY: refused as a no-op on every node; the leader wrote bytes this version cannot read", logIndex, l.Index, logErr, err)
		return f.reject(ctx, rec, err)
	}
	b := *e.Block
	f.mu.Lock()
	headHeight := f.head.Height
	f.mu.Unlock()
	if b.Height <= headHeight {
		// A replay of an entry this node applied (Raft replays the entries
		// after its last snapshot on restart), or the same block twice.
		if stored, err := f.chain.Block(ctx, b.Height); err == nil && sameBlock(stored, b) {
			if !seen {
				if err := f.record(ctx, rec); err != nil {
					return f.halt(l.Index, err)
				}
			}
			return applyResult{Block: stored}
		}
		// A new entry proposing a held height: a leader built it on a
		// stale head. Every node holding this log refuses it alike.
		return f.reject(ctx, rec, fmt.Errorf("replication: block %d: height already holds a different block (proposed on a stale head)", b.Height))
	}
	if rec.BlockHash, err = b.Hash(); err != nil {
		return f.reject(ctx, rec, err)
	}
	rec.Height = b.Height
	start := time.Now()
	if err := f.record(ctx, rec); err != nil {
		return f.halt(l.Index, err)
	}
	var stored anchor.Appended
	if err := waitForRoom(f.logger, nil, diskFullMaxBackoff, "chain store", func() (err error) {
		stored, err = f.chain.AppendBlock(ctx, b)
		return err
	}); err != nil {
		rec.Height, rec.BlockHash = 0, ""
		return f.reject(ctx, rec, err)
	}
	if err := f.accept(ctx, b, stored); err != nil {
		return f.reject(ctx, rec, err)
	}
	f.metrics.observeStage(stageApply, time.Since(start))
	f.logger.Debug("block applied", logHeight, b.Height, logManifests, len(b.Manifests), logIndex, l.Index)
	return applyResult{Block: b}
}

// record writes the applied-index record of an entry, waiting while the
// disk is full.
func (f *fsm) record(ctx context.Context, rec appliedEntry) error {
	return waitForRoom(f.logger, nil, diskFullMaxBackoff, "applied index", func() error { return f.applied.recordApplied(ctx, rec) })
}

func sameBlock(a, b anchor.Block) bool {
	ha, err1 := a.Hash()
	hb, err2 := b.Hash()
	return err1 == nil && err2 == nil && ha == hb && a.Signature == b.Signature
}

// accept moves the in-memory head, log and members past b, stored by
// the chain with the hash and log leaves of stored.
func (f *fsm) accept(ctx context.Context, b anchor.Block, stored anchor.Appended) error {
	var members []anchor.Member
	if b.Membership != nil {
		var err error
		if members, _, err = f.chain.Membership(ctx); err != nil {
			return fmt.Errorf("replication: %w", err)
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if members != nil {
		f.members = members
		f.notifyMembers()
		f.logger.Info("membership changed", logHeight, b.Height, "members", len(members))
	}
	tree := f.tree.Clone()
	for _, lh := range stored.Leaves {
		if err := tree.Append(lh); err != nil {
			return fmt.Errorf("replication: block %d leaves: %w", b.Height, err)
		}
	}
	f.head, f.headHash = b, stored.Hash
	f.tree = tree
	f.roots[b.LogSize] = b.LogRoot
	close(f.changedCh)
	f.changedCh = make(chan struct{})
	return nil
}

// appendLeaves adds b's log leaves (manifests, then entries) to tree.
func appendLeaves(tree *merkle.Tree, b anchor.Block) error {
	leaves, err := b.LogLeaves()
	if err != nil {
		return fmt.Errorf("replication: block %d leaves: %w", b.Height, err)
	}
	for _, lh := range leaves {
		if err := tree.Append(lh); err != nil {
			return fmt.Errorf("replication: block %d leaves: %w", b.Height, err)
		}
	}
	return nil
}

// reject records a refused entry. When the refusal comes from the local
// store itself failing verification (edited on disk), the node is marked
// corrupt: it stops proposing and reports it in Status.
// It also checks that the entries applied since the last stored block
// are still those of the Raft log (checkRewritten).
func (f *fsm) reject(ctx context.Context, rec appliedEntry, err error) applyResult {
	index := rec.Index
	if rerr := f.record(ctx, rec); rerr != nil {
		return f.halt(index, rerr)
	}
	f.mu.Lock()
	f.rejected++
	f.lastReject = err.Error()
	f.mu.Unlock()
	f.logger.Warn("log entry rejected: recorded as a no-op", logIndex, index, logErr, err)
	if _, verr := f.chain.Verify(ctx); verr != nil {
		f.mu.Lock()
		f.corrupt = verr
		f.mu.Unlock()
		f.logger.Error("LOCAL CHAIN STORE FAILS VERIFICATION: this node no longer applies blocks; restore its chain from a peer", logErr, verr)
	}
	if res, forked := f.checkRewritten(ctx, index); forked {
		return res
	}
	return applyResult{Err: fmt.Errorf("replication: log entry %d rejected: %w", index, err)}
}

// rejectedCount is how many entries were refused since start.
func (f *fsm) rejectedCount() int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.rejected
}

// state is a consistent view of the head for proposers and status.
type fsmState struct {
	Head       anchor.Block
	HeadHash   string
	Tree       *merkle.Tree // a clone, the caller's to change
	Rejected   int64
	LastReject string
	Corrupt    error
	Halted     error
}

func (f *fsm) state() fsmState {
	f.mu.Lock()
	defer f.mu.Unlock()
	return fsmState{Head: f.head, HeadHash: f.headHash, Tree: f.tree.Clone(), Rejected: f.rejected, LastReject: f.lastReject, Corrupt: f.corrupt, Halted: f.halted}
}

// rootAt returns the log root the chain had at log size n.
func (f *fsm) rootAt(n int64) (string, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	r, ok := f.roots[n]
	return r, ok
}

// waitHeight blocks until the chain holds height h or ctx ends.
func (f *fsm) waitHeight(ctx context.Context, h int64) error {
	for {
		f.mu.Lock()
		reached, ch, corrupt, halted := f.head.Height >= h, f.changedCh, f.corrupt, f.halted
		f.mu.Unlock()
		if reached {
			return nil
		}
		if corrupt != nil {
			return fmt.Errorf("replication: local chain store is corrupt: %w", corrupt)
		}
		if halted != nil {
			return halted
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("replication: waiting for block %d: %w", h, ctx.Err())
		}
	}
}

// changed returns a channel closed at the next applied block.
func (f *fsm) changed() <-chan struct{} {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.changedCh
}

// Snapshot captures the current height; Persist streams blocks up to it
// (blocks never change once stored, so Apply may go on meanwhile).
// A halted node takes none, so that Raft keeps the log that contradicts
// it.
func (f *fsm) Snapshot() (raft.FSMSnapshot, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.halted != nil {
		return nil, f.halted
	}
	return &chainSnapshot{chain: f.chain, height: f.head.Height}, nil
}

// errCorrupt is returned to submitters while the local store is corrupt.
var errCorrupt = errors.New("replication: the local chain store fails verification; this node does not anchor until it is restored")
