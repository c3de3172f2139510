package pipeline

import (
	"context"

	"github.com/healthanchor/healthanchor/anchor"
	"github.com/healthanchor/healthanchor/connectors"
)

// batchID is the id of a part of w's window: keyed by the agency's
// watermark key (anchor.WatermarkKey.BatchID), or the legacy id when the
// window was anchored by a release that hashed watermarks in the clear.
func (n *Node) batchID(w *jobWork, part string) string {
	if w.legacyIDs {
		return anchor.LegacyBatchID(w.job.Name, w.source, part, w.window.Backfill, w.window.From, w.window.To)
	}
	return n.watermarkKey.BatchID(w.job.Name, w.source, part, w.window.Backfill, w.window.From, w.window.To)
}

// anchoredAsLegacy reports whether w's window (one an interrupted run left
// pending) is on the chain under legacy batch ids: a release before the
// keyed watermark digest anchored it and crashed before publishing. The
// re-run must then rebuild the same batches, ids and salts included, to
// find them anchored rather than anchor the window twice. A block anchors
// every batch of a run at once, so one id on the chain means all are.
func (n *Node) anchoredAsLegacy(ctx context.Context, conn connectors.Connector, w *jobWork) bool {
	for _, s := range conn.Schemas() {
		id := anchor.LegacyBatchID(w.job.Name, w.source, s.ID(), w.window.Backfill, w.window.From, w.window.To)
		if _, ok, err := n.Chain.Lookup(ctx, id); err == nil && ok {
			return true
		}
	}
	return false
}
