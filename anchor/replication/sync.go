package replication

import (
	"context"
	"fmt"
)

// Sync waits until this node's chain holds every block the cluster's
// leader held when Sync was called, so that a lookup in the local chain
// then answers for the cluster. A replica can lag (it was down, cut off
// or out of disk) and not show yet a batch that a submission whose reply
// was lost did commit. Sync fails with ErrUnavailable when no leader
// answers, and when this node's state machine is halted or corrupt.
// It implements the pipeline's optional syncer ability.
func (n *Node) Sync(ctx context.Context) error {
	if n.isLeader() {
		if err := n.raft.Barrier(applyTimeout).Error(); err != nil {
			return fmt.Errorf("%w: barrier: %v", ErrUnavailable, err)
		}
		return nil
	}
	id, addr, ok := n.leaderAPI()
	if !ok {
		return fmt.Errorf("%w: no leader known (leader %q)", ErrUnavailable, id)
	}
	st, err := n.client.Status(ctx, addr)
	if err != nil {
		return fmt.Errorf("%w: status of leader %s: %v", ErrUnavailable, id, err)
	}
	if err := n.fsm.waitHeight(ctx, st.Height); err != nil {
		return fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	return nil
}
