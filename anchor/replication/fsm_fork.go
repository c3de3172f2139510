package replication

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/raft"
)

// ErrForked is returned by the state machine, to submitters and waiters,
// once the Raft log contradicts an entry this node already applied: its
// chain took a history the cluster did not commit. The node applies
// nothing more; its chain must be restored from a peer (a snapshot from
// the leader, or a new data folder).
var ErrForked = errors.New("replication: the Raft log contradicts an entry this node applied; it stopped applying blocks")

// rewriteScan bounds how many applied entries a refusal re-reads from
// the Raft log.
const rewriteScan = 64

// logFork describes a Raft log entry found in place of one this node
// had applied.
type logFork struct {
	Applied appliedEntry // what the node applied at that index
	NowHash string       // hex SHA-256 of the entry the log holds now
	Now     string       // that entry, described
}

// haltedErr is the reason the state machine halted, or nil.
func (f *fsm) haltedErr() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.halted
}

// halt stops applying because the applied-index records cannot be read
// or written: without them a rewritten log would go unseen.
func (f *fsm) halt(index uint64, err error) applyResult {
	err = fmt.Errorf("replication: log entry %d: %w", index, err)
	f.mu.Lock()
	if f.halted == nil {
		f.halted = err
	}
	f.mu.Unlock()
	f.logger.Error("RAFT STORE FAILED: this node stops applying blocks until restarted", logIndex, index, logErr, err)
	return applyResult{Err: err}
}

// logForked halts the state machine: index l.Index was applied as prev,
// and the log now holds other bytes there. In an honest cluster a
// committed entry is never replaced, so this node's history forked (an
// entry it was sent was not the cluster's). The evidence is recorded.
func (f *fsm) logForked(prev appliedEntry, l *raft.Log) applyResult {
	fk := logFork{Applied: prev, NowHash: entryHash(l.Data), Now: describeEntry(l.Data)}
	err := fmt.Errorf("%w: raft index %d: applied entry %.16s (%s), the log now holds %.16s (%s)",
		ErrForked, prev.Index, prev.EntryHash, describeApplied(prev), fk.NowHash, fk.Now)
	f.mu.Lock()
	first := f.halted == nil
	if first {
		f.halted = err
	}
	f.mu.Unlock()
	if first {
		f.logger.Error("FORK: the Raft log no longer holds an entry this node applied; it stops applying blocks (restore its chain from a peer)",
			logIndex, prev.Index, "applied", describeApplied(prev), "now", fk.Now, logErr, err)
		if f.onLogFork != nil {
			f.onLogFork(fk)
		}
	}
	return applyResult{Err: err}
}

// checkRewritten re-reads from the Raft log the entries applied since
// the last stored block, before index: one that changed means the log
// was rewritten after this node applied it (a follower that applied an
// entry from a false leader, then got the real one at the same index),
// which explains why the blocks that follow no longer fit its chain.
func (f *fsm) checkRewritten(ctx context.Context, index uint64) (applyResult, bool) {
	recs, err := f.applied.appliedSinceBlock(ctx, rewriteScan)
	if err != nil {
		return f.halt(index, err), true
	}
	for _, r := range recs {
		if r.Index >= index {
			break
		}
		var l raft.Log
		if err := f.applied.GetLog(r.Index, &l); err != nil {
			continue // compacted: nothing to compare
		}
		if entryHash(l.Data) != r.EntryHash {
			return f.logForked(r, &l), true
		}
	}
	return applyResult{}, false
}

func describeApplied(e appliedEntry) string {
	if e.Height == 0 {
		return "refused as a no-op"
	}
	return fmt.Sprintf("block %d %.16s", e.Height, e.BlockHash)
}

func describeEntry(data []byte) string {
	e, err := decodeEntry(data)
	if err != nil {
		return "undecodable"
	}
	h, err := e.Block.Hash()
	if err != nil {
		return fmt.Sprintf("block %d", e.Block.Height)
	}
	return fmt.Sprintf("block %d %.16s", e.Block.Height, h)
}

// recordLogFork keeps a rewritten Raft log entry as fork evidence, next
// to the checkpoint and snapshot forks.
func (n *Node) recordLogFork(fk logFork) {
	n.metrics.fork()
	local := fmt.Sprintf("raft index %d applied entry sha256 %s (%s)", fk.Applied.Index, fk.Applied.EntryHash, describeApplied(fk.Applied))
	now := fmt.Sprintf("raft index %d now holds entry sha256 %s (%s)", fk.Applied.Index, fk.NowHash, fk.Now)
	if err := n.store.addEvidence(context.Background(), "raft-log", 0, local, now); err != nil {
		n.logger.Error("fork evidence not stored", logErr, err)
	}
}
