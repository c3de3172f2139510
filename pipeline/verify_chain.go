package pipeline

import (
	"context"

	"github.com/healthanchor/healthanchor/anchor"
)

// VerifyChain verifies the chain store from genesis to head
// (anchor.Chain.Verify). Any failure is a Mismatch.
func (n *Node) VerifyChain(ctx context.Context) (anchor.ChainReport, error) {
	rep, err := n.Chain.Verify(ctx)
	if err != nil {
		return rep, &anchor.Mismatch{Problems: []string{err.Error()}}
	}
	return rep, nil
}
