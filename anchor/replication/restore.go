package replication

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/healthanchor/healthanchor/anchor"
)

// restoreFork describes a local history that disagreed with a snapshot
// and was kept aside.
type restoreFork struct {
	Height       int64  // first height where the histories differ
	LocalHash    string // the local block at that height
	SnapshotHash string // the snapshot's block at that height
	KeptAs       string // where the local store was moved
}

// Restore brings the local chain to a peer's snapshot. Blocks the local
// chain already holds identically are skipped; if the snapshot holds
// nothing new (a restart from this node's own snapshot), the local chain
// is kept as it is. Otherwise a new chain store is written next to the
// local one, from genesis: the local blocks the snapshot agrees with,
// then the snapshot's blocks, each validated by the chain's rules; the
// file is verified whole, then atomically renamed over the local store.
// A local chain that disagrees with the snapshot is renamed aside
// (chain.db.fork-HEIGHT-TIME), never deleted, and reported as a fork.
func (f *fsm) Restore(rc io.ReadCloser) error {
	defer rc.Close()
	ctx := context.Background()
	localHeight := f.state().Head.Height
	built := f.chain.Path() + ".restore"
	var cb *anchor.ChainBuilder
	var fork *restoreFork
	start := func(upto int64) error {
		var err error
		if cb, err = anchor.NewChainBuilder(built, f.chain.Genesis()); err != nil {
			return err
		}
		for h := int64(1); h <= upto; h++ {
			b, err := f.chain.Block(ctx, h)
			if err != nil {
				return err
			}
			if err := cb.Append(ctx, b); err != nil {
				return fmt.Errorf("local block %d: %w", h, err)
			}
		}
		return nil
	}
	err := readSnapshot(rc, f.chain, func(b anchor.Block) error {
		if cb == nil {
			if b.Height > localHeight {
				if err := start(localHeight); err != nil {
					return err
				}
			} else {
				stored, err := f.chain.Block(ctx, b.Height)
				if err != nil {
					return err
				}
				if sameBlock(stored, b) {
					return nil
				}
				lh, _ := stored.Hash()
				sh, _ := b.Hash()
				fork = &restoreFork{Height: b.Height, LocalHash: lh, SnapshotHash: sh}
				if err := start(b.Height - 1); err != nil {
					return err
				}
			}
		}
		return cb.Append(ctx, b)
	})
	if err != nil {
		if cb != nil {
			cb.Abort()
		}
		return fmt.Errorf("replication: restore snapshot: %w", err)
	}
	if cb == nil {
		f.logger.Info("snapshot restore: the local chain already holds the snapshot", logHeight, localHeight)
		return nil
	}
	rep, err := cb.Finish(ctx)
	if err != nil {
		return fmt.Errorf("replication: restore snapshot: %w", err)
	}
	keepAs := ""
	if fork != nil {
		fork.KeptAs = fmt.Sprintf("%s.fork-%d-%s", f.chain.Path(), fork.Height, time.Now().UTC().Format("20060102T150405Z"))
		keepAs = fork.KeptAs
	}
	if err := f.chain.Swap(ctx, built, keepAs); err != nil {
		return fmt.Errorf("replication: restore snapshot: %w", err)
	}
	// The applied-index records described the replaced history; Raft
	// replays nothing at or below the snapshot's index. A node halted by
	// a rewritten log follows again from the snapshot's chain.
	if err := f.applied.forgetApplied(ctx); err != nil {
		return fmt.Errorf("replication: restore snapshot: %w", err)
	}
	if err := f.load(ctx); err != nil {
		return fmt.Errorf("replication: restore snapshot: %w", err)
	}
	f.mu.Lock()
	if f.halted != nil {
		f.logger.Warn("the chain was replaced by a snapshot: applying again", "halted_by", f.halted.Error())
		f.halted = nil
	}
	f.mu.Unlock()
	if fork != nil {
		f.logger.Error("FORK: the local chain disagrees with a validly signed snapshot; it was replaced, and the old store kept as evidence",
			logHeight, fork.Height, "local_hash", fork.LocalHash, "snapshot_hash", fork.SnapshotHash, "kept_as", fork.KeptAs)
		if f.onFork != nil {
			f.onFork(*fork)
		}
	}
	f.logger.Info("chain restored from snapshot", logHeight, rep.Height, "previous_height", localHeight)
	return nil
}
