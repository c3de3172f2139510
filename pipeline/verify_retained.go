package pipeline

import (
	"context"
	"fmt"
	"sync"

	"github.com/healthanchor/healthanchor/anchor"
	"github.com/healthanchor/healthanchor/lifecycle"
	"github.com/healthanchor/healthanchor/schemas"
)

// verifyFile checks the kind file of a batch this node published. A
// file that is gone, and that a retention entry of the batch's agency
// names, was removed under retention: the report says by which entry,
// and it is not a failure. Any other file, gone or not, is checked
// against its anchor (a file gone without an entry fails there).
func (n *Node) verifyFile(ctx context.Context, lb LocalBatch, path, kind string) (anchor.BatchReport, error) {
	if there, err := n.publishedExists(ctx, path); err == nil && !there {
		rep, ok, err := n.retainedReport(ctx, lb.BatchID, path, kind)
		if err != nil || ok {
			return rep, err
		}
	}
	return n.verifyStored(ctx, path, lb.BatchID, kind)
}

// retainedReport is the report of a file removed under retention, false
// when no retention entry of the batch's producing agency names it.
func (n *Node) retainedReport(ctx context.Context, batchID, path, kind string) (anchor.BatchReport, bool, error) {
	a, ok, err := n.Chain.Lookup(ctx, batchID)
	if err != nil || !ok {
		return anchor.BatchReport{}, false, err
	}
	entries, err := n.retained.of(ctx, n)
	if err != nil {
		return anchor.BatchReport{}, false, err
	}
	m := a.Manifest
	for _, e := range entries[batchID] {
		r, err := lifecycle.RetentionOf(e.Entry)
		if err != nil || e.Entry.Agency != m.Agency || !r.Names(kind) {
			continue
		}
		rep := anchor.BatchReport{Path: path, BatchID: batchID, Kind: kind, BlockHeight: a.Height, Agency: m.Agency,
			Schema: m.Schema, Rows: m.Rows, Root: m.MerkleRoot, SHA256: m.ParquetSHA256,
			Retained: &anchor.Retained{Height: e.Height, Retention: r.Retention, Time: e.Time}}
		if kind == anchor.FileRejects {
			rep.Schema, rep.Rows, rep.Root, rep.SHA256 = schemas.Reject.ID(), m.Rejects, m.RejectsRoot, m.RejectsSHA256
		}
		return rep, true, nil
	}
	return anchor.BatchReport{}, false, nil
}

// retainedCache holds the chain's retention entries by batch id, read
// once per chain head, so that verifying every batch replays the chain
// once.
type retainedCache struct {
	mu      sync.Mutex
	height  int64
	byBatch map[string][]anchor.AnchoredEntry
}

func (c *retainedCache) of(ctx context.Context, n *Node) (map[string][]anchor.AnchoredEntry, error) {
	head, err := n.Chain.Head(ctx)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.byBatch != nil && c.height == head.Height {
		return c.byBatch, nil
	}
	all, err := n.Chain.Entries(ctx, anchor.KindRetention)
	if err != nil {
		return nil, fmt.Errorf("retention entries: %w", err)
	}
	c.byBatch, c.height = map[string][]anchor.AnchoredEntry{}, head.Height
	for _, e := range all {
		if r, err := lifecycle.RetentionOf(e.Entry); err == nil {
			c.byBatch[r.BatchID] = append(c.byBatch[r.BatchID], e)
		}
	}
	return c.byBatch, nil
}
