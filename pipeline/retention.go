package pipeline

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/healthanchor/healthanchor/anchor"
	"github.com/healthanchor/healthanchor/internal/fsutil"
	"github.com/healthanchor/healthanchor/lifecycle"
)

// BatchRetained is the state of a batch whose files were removed under
// its job's retention: its manifest stays on the chain, a retention entry
// says the files are gone, and the state DB keeps the paths they had.
const BatchRetained = "retained"

// RetentionAction is one batch ApplyRetention removed, or would remove.
type RetentionAction struct {
	BatchID   string `json:"batch_id"`
	Job       string `json:"job"`
	Retention string `json:"retention"`
	// BatchHeight is the block holding its manifest, AnchoredAt that
	// block's time, which the retention is counted from.
	BatchHeight int64     `json:"batch_height"`
	AnchoredAt  time.Time `json:"anchored_at"`
	Ended       time.Time `json:"retention_ended"`
	Files       []string  `json:"files"` // the paths removed
	// EntryHeight is the block holding its retention entry; 0 in a dry
	// run for a batch whose entry is not anchored yet.
	EntryHeight int64 `json:"entry_height,omitempty"`
	// Resumed: the entry was anchored by an earlier apply that stopped
	// before removing every file; this one finished the removal.
	Resumed bool `json:"resumed,omitempty"`
}

// ApplyRetention removes the files of every published batch of a job
// with a retention whose retention has ended: a batch is due when its
// period, counted from the time of the block holding its manifest, has
// passed at the node's clock. Each batch goes in this order, so that a
// crash at any point is finished by the next apply and never leaves a
// file gone without its entry: anchor the retention entry (unless one of
// this agency is on the chain for it already), remove the rows and
// rejects files, forget the batch in the patient index, mark it retained
// in the state DB. With dryRun nothing is anchored or removed: the
// actions say what would be. Batches are taken in batch id order; the
// first failure stops the apply and is returned with what was done.
func (n *Node) ApplyRetention(ctx context.Context, dryRun bool) ([]RetentionAction, error) {
	periods := map[string]lifecycle.RetentionPeriod{}
	for _, j := range n.Config.Jobs {
		if p, ok := j.RetentionPeriod(); ok {
			periods[j.Name] = p
		}
	}
	if len(periods) == 0 {
		return nil, nil
	}
	// A replica first catches up with its cluster: an entry an earlier
	// apply anchored may not be on the local chain yet.
	if s, ok := n.Anchorer.(syncer); ok && !dryRun {
		sctx, cancel := context.WithTimeout(ctx, syncTimeout)
		err := s.Sync(sctx)
		cancel()
		if err != nil {
			return nil, fmt.Errorf("retention: catching up with the cluster: %w", err)
		}
	}
	local, err := n.State.LocalBatches(ctx)
	if err != nil {
		return nil, err
	}
	entries, err := n.retained.of(ctx, n)
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(local))
	for id, lb := range local {
		if _, ok := periods[lb.Job]; ok && lb.Status == BatchPublished {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	now := n.now()
	var out []RetentionAction
	for _, id := range ids {
		lb := local[id]
		act, due, err := n.retentionDue(ctx, lb, periods[lb.Job], now)
		if err != nil {
			return out, err
		}
		if !due {
			continue
		}
		if e, ok := ownEntry(entries[id], n.Config.Agency.ID); ok {
			act.EntryHeight, act.Resumed = e.Height, true
		}
		if dryRun {
			out = append(out, act)
			continue
		}
		if act.EntryHeight == 0 {
			if act.EntryHeight, err = n.anchorRetention(ctx, lb, act.BatchHeight, act.AnchoredAt, periods[lb.Job]); err != nil {
				return out, err
			}
		}
		n.crash("retention-anchored")
		if err := n.removeRetained(ctx, lb); err != nil {
			return out, err
		}
		out = append(out, act)
	}
	return out, nil
}

// retentionDue finds when lb's manifest was anchored and whether its
// retention has ended at now.
func (n *Node) retentionDue(ctx context.Context, lb LocalBatch, p lifecycle.RetentionPeriod, now time.Time) (RetentionAction, bool, error) {
	a, ok, err := n.Chain.Lookup(ctx, lb.BatchID)
	if err != nil {
		return RetentionAction{}, false, fmt.Errorf("retention: batch %s: %w", lb.BatchID, err)
	}
	if !ok {
		// Published but not on this chain: verify chain reports it; its
		// files are kept.
		n.Logger.Warn("retention: batch is not on the chain; its files are kept", "batch", lb.BatchID)
		return RetentionAction{}, false, nil
	}
	b, err := n.Chain.Block(ctx, a.Height)
	if err != nil {
		return RetentionAction{}, false, fmt.Errorf("retention: batch %s: %w", lb.BatchID, err)
	}
	at, err := time.Parse(time.RFC3339, b.Time)
	if err != nil {
		return RetentionAction{}, false, fmt.Errorf("retention: batch %s: block %d time %q: %w", lb.BatchID, a.Height, b.Time, err)
	}
	act := RetentionAction{BatchID: lb.BatchID, Job: lb.Job, Retention: p.String(), BatchHeight: a.Height, AnchoredAt: at, Ended: p.Ends(at),
		Files: []string{lb.ParquetPath}}
	if lb.RejectsPath != "" {
		act.Files = append(act.Files, lb.RejectsPath)
	}
	return act, p.Due(at, now), nil
}

// anchorRetention anchors the retention entry of lb and returns the
// height of its block.
func (n *Node) anchorRetention(ctx context.Context, lb LocalBatch, batchHeight int64, anchoredAt time.Time, p lifecycle.RetentionPeriod) (int64, error) {
	kinds := []string{anchor.FileRows}
	if lb.RejectsPath != "" {
		kinds = append(kinds, anchor.FileRejects)
	}
	body := lifecycle.NewRetentionEntry(lb.BatchID, lb.Job, p, anchoredAt, batchHeight, kinds)
	_, b, err := n.AnchorEntryExclusive(ctx, anchor.KindRetention, body)
	if err != nil {
		return 0, fmt.Errorf("retention: batch %s: %w", lb.BatchID, err)
	}
	n.Logger.Info("retention: entry anchored", "batch", lb.BatchID, "job", lb.Job, "height", b.Height)
	return b.Height, nil
}

// removeRetained removes lb's files (a file already gone is fine: an
// earlier apply removed it), or its objects and their sidecar from the
// bucket, makes the removal durable, forgets the
// batch in the patient index and marks it retained.
func (n *Node) removeRetained(ctx context.Context, lb LocalBatch) error {
	if isObjectURL(lb.ParquetPath) {
		if err := n.removeRetainedObjects(ctx, lb); err != nil {
			return err
		}
	}
	for _, p := range []string{lb.ParquetPath, lb.RejectsPath} {
		if p == "" || isObjectURL(p) {
			continue
		}
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("retention: batch %s: %w", lb.BatchID, err)
		}
		if err := fsutil.SyncDir(filepath.Dir(p)); err != nil {
			return fmt.Errorf("retention: batch %s: %w", lb.BatchID, err)
		}
	}
	x, err := n.openIndex()
	if err != nil {
		return fmt.Errorf("retention: batch %s: %w", lb.BatchID, err)
	}
	defer x.Close()
	if err := x.Remove(ctx, lb.BatchID); err != nil {
		return fmt.Errorf("retention: %w", err)
	}
	lb.Status = BatchRetained
	return n.State.SetBatch(ctx, lb)
}

// ownEntry is the first of a batch's retention entries that agency
// signed.
func ownEntry(entries []anchor.AnchoredEntry, agency string) (anchor.AnchoredEntry, bool) {
	for _, e := range entries {
		if e.Entry.Agency == agency {
			return e, true
		}
	}
	return anchor.AnchoredEntry{}, false
}
