package pipeline

import (
	"context"

	"github.com/healthanchor/healthanchor/connectors"
)

// committed tells the job's connector, when it wants to know, that its
// window is anchored, published and its watermark moved. A failure is
// logged: the commit stands, and the connector tidies up at a later one.
func (n *Node) committed(ctx context.Context, w *jobWork) {
	c, ok := w.conn.(connectors.Committer)
	if !ok || w.window.Backfill {
		return
	}
	if err := c.Committed(ctx, w.window.From, w.window.To); err != nil {
		n.Logger.Warn("connector could not tidy up after the commit", "job", w.job.Name, "err", err)
	}
}
