package pipeline

import (
	"context"

	"github.com/healthanchor/healthanchor/anchor"
)

// AnchorEntryExclusive is AnchorEntry holding, as runs do while they
// anchor, the node's anchoring lock and the chain store's file lock, so
// that an entry anchored beside the jobs (by serve, or by a command while
// a cron run goes) never races a run's block.
func (n *Node) AnchorEntryExclusive(ctx context.Context, kind string, body any) (anchor.Entry, anchor.Block, error) {
	n.anchorMu.Lock()
	defer n.anchorMu.Unlock()
	lock, err := n.lockChain()
	if err != nil {
		return anchor.Entry{}, anchor.Block{}, err
	}
	defer lock.release()
	return n.AnchorEntry(ctx, kind, body)
}
