package replication

import (
	"context"
	"fmt"

	"github.com/healthanchor/healthanchor/anchor"
)

// admitEntries accepts all of es or none: each signed by a current
// member for this chain, not on the chain, not twice in the block. The
// state machine checks the same again (anchor's validator).
func (a *admission) admitEntries(ctx context.Context, es []anchor.Entry) error {
	ids := map[string]bool{}
	for _, e := range es {
		if e.ChainID != a.chain.ChainID() {
			return fmt.Errorf("%w: %s entry is for chain %q, not %q", ErrRejected, e.Kind, e.ChainID, a.chain.ChainID())
		}
		pub, ok := a.chain.MemberKey(e.Agency)
		if !ok {
			return fmt.Errorf("%w: %s entry: agency %q is not a member", ErrRejected, e.Kind, e.Agency)
		}
		if err := e.Verify(pub); err != nil {
			return fmt.Errorf("%w: %v", ErrRejected, err)
		}
		id, err := e.ID()
		if err != nil {
			return fmt.Errorf("%w: %v", ErrRejected, err)
		}
		_, onChain, err := a.chain.LookupEntry(ctx, id)
		if err != nil {
			return fmt.Errorf("%w: %v", ErrUnavailable, err)
		}
		if onChain || a.entries[id] || ids[id] {
			return fmt.Errorf("replication: %s entry %.16s…: %w", e.Kind, id, anchor.ErrDuplicateEntry)
		}
		ids[id] = true
	}
	for id := range ids {
		a.entries[id] = true
	}
	return nil
}
