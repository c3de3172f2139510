package replication

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/healthanchor/healthanchor/anchor"
)

// maxAttempts bounds how often Anchor retries an unknown outcome.
const maxAttempts = 40

// Anchor commits manifests through the cluster and returns the block
// holding them once that block is stored in this node's chain. A follower
// forwards them to the leader. It implements pipeline.Anchorer: a batch
// id already on the chain is refused with anchor.ErrDuplicateBatch,
// unless every manifest is already anchored exactly as given (a retry
// after an unknown outcome, seen here or, once this replica has caught
// up with the leader, there), in which case the block holding them is
// returned.
func (n *Node) Anchor(ctx context.Context, manifests []anchor.Manifest) (anchor.Block, error) {
	if len(manifests) == 0 {
		return anchor.Block{}, errors.New("replication: anchor: no manifests")
	}
	return n.anchor(ctx, manifests, nil)
}

// AnchorEntries commits signed entries (anchor.Entry) through the
// cluster as Anchor does manifests: an entry already on the chain is
// anchor.ErrDuplicateEntry, unless all of them are (a retry), in which
// case the block holding the last is returned.
func (n *Node) AnchorEntries(ctx context.Context, entries []anchor.Entry) (anchor.Block, error) {
	if len(entries) == 0 {
		return anchor.Block{}, errors.New("replication: anchor entries: none given")
	}
	return n.anchor(ctx, nil, entries)
}

func (n *Node) anchor(ctx context.Context, manifests []anchor.Manifest, entries []anchor.Entry) (anchor.Block, error) {
	if n.cfg.Observer {
		return anchor.Block{}, errors.New("replication: anchor: an observer cannot anchor")
	}
	var last error
	for attempt := 0; attempt < maxAttempts; attempt++ {
		if b, ok, err := n.alreadyAnchored(ctx, manifests, entries); err != nil || ok {
			return b, err
		}
		var b anchor.Block
		var err error
		if n.isLeader() {
			b, err = n.submitLocal(ctx, manifests, entries)
		} else {
			b, err = n.forward(ctx, manifests, entries)
		}
		if err == nil {
			return n.committedHere(ctx, b)
		}
		if errors.Is(err, anchor.ErrDuplicateBatch) || errors.Is(err, anchor.ErrDuplicateEntry) {
			// The cluster holds a batch or entry this node's chain does
			// not show yet (a reply lost before the block reached this
			// replica, or on the leader a retry queued behind the block
			// that holds it): catch up, then look again.
			if serr := n.Sync(ctx); serr == nil {
				if b, ok, aerr := n.alreadyAnchored(ctx, manifests, entries); aerr != nil || ok {
					return b, aerr
				}
			}
			return anchor.Block{}, err
		}
		if !errors.Is(err, ErrUnavailable) {
			return anchor.Block{}, err
		}
		last = err
		leader, _, _ := n.leaderAPI()
		n.warnEvery("anchor-retry", leader, "anchor outcome unknown, retrying", "attempt", attempt+1, logErr, err)
		select {
		case <-ctx.Done():
			return anchor.Block{}, fmt.Errorf("replication: anchor: %w (last: %v)", ctx.Err(), last)
		case <-time.After(250 * time.Millisecond):
		}
	}
	return anchor.Block{}, fmt.Errorf("replication: anchor: gave up after %d attempts: %w", maxAttempts, last)
}

// committedHere waits until b is in the local chain and checks it is
// the same block.
// WaitHeight blocks until this node's chain store holds block h, ctx
// ends, or the node stops applying blocks (its store found corrupt, or
// halted on a forked log).
func (n *Node) WaitHeight(ctx context.Context, h int64) error {
	return n.fsm.waitHeight(ctx, h)
}

func (n *Node) committedHere(ctx context.Context, b anchor.Block) (anchor.Block, error) {
	if err := n.fsm.waitHeight(ctx, b.Height); err != nil {
		return anchor.Block{}, err
	}
	local, err := n.chain.Block(ctx, b.Height)
	if err != nil {
		return anchor.Block{}, fmt.Errorf("replication: %w", err)
	}
	if !sameBlock(local, b) {
		return anchor.Block{}, fmt.Errorf("replication: block %d reported by the leader differs from the one committed here", b.Height)
	}
	return local, nil
}

// alreadyAnchored reports whether every manifest is on the local chain
// exactly as given, returning the block of the last one. A batch id on
// the chain with other contents is anchor.ErrDuplicateBatch.
func (n *Node) alreadyAnchored(ctx context.Context, ms []anchor.Manifest, es []anchor.Entry) (anchor.Block, bool, error) {
	if len(ms) == 0 {
		return n.entriesAnchored(ctx, es)
	}
	var found int
	var height int64
	for _, m := range ms {
		a, ok, err := n.chain.Lookup(ctx, m.BatchID)
		if err != nil {
			return anchor.Block{}, false, fmt.Errorf("replication: %w", err)
		}
		if !ok {
			continue
		}
		same, err := sameManifest(a.Manifest, m)
		if err != nil {
			return anchor.Block{}, false, err
		}
		if !same {
			return anchor.Block{}, false, fmt.Errorf("replication: batch %s: %w", m.BatchID, anchor.ErrDuplicateBatch)
		}
		found++
		height = max(height, a.Height)
	}
	switch {
	case found == 0:
		return anchor.Block{}, false, nil
	case found < len(ms):
		return anchor.Block{}, false, fmt.Errorf("replication: some of the batches are already anchored: %w", anchor.ErrDuplicateBatch)
	}
	b, err := n.chain.Block(ctx, height)
	if err != nil {
		return anchor.Block{}, false, fmt.Errorf("replication: %w", err)
	}
	return b, true, nil
}

func sameManifest(a, b anchor.Manifest) (bool, error) {
	ca, err := anchor.Canonical(a)
	if err != nil {
		return false, fmt.Errorf("replication: %w", err)
	}
	cb, err := anchor.Canonical(b)
	if err != nil {
		return false, fmt.Errorf("replication: %w", err)
	}
	return bytes.Equal(ca, cb), nil
}

// entriesAnchored is alreadyAnchored for entries, found by id.
func (n *Node) entriesAnchored(ctx context.Context, es []anchor.Entry) (anchor.Block, bool, error) {
	var found int
	var height int64
	for _, e := range es {
		id, err := e.ID()
		if err != nil {
			return anchor.Block{}, false, fmt.Errorf("replication: entry id: %w", err)
		}
		a, ok, err := n.chain.LookupEntry(ctx, id)
		if err != nil {
			return anchor.Block{}, false, fmt.Errorf("replication: %w", err)
		}
		if ok {
			found++
			height = max(height, a.Height)
		}
	}
	switch {
	case found == 0:
		return anchor.Block{}, false, nil
	case found < len(es):
		return anchor.Block{}, false, fmt.Errorf("replication: some of the entries are already anchored: %w", anchor.ErrDuplicateEntry)
	}
	b, err := n.chain.Block(ctx, height)
	if err != nil {
		return anchor.Block{}, false, fmt.Errorf("replication: %w", err)
	}
	return b, true, nil
}

// submitLocal hands manifests and entries to this node's proposer
// (leader only).
func (n *Node) submitLocal(ctx context.Context, ms []anchor.Manifest, es []anchor.Entry) (anchor.Block, error) {
	return n.await(ctx, &submission{manifests: ms, entries: es, done: make(chan applyResult, 1)})
}

// await queues s for this node's proposer and waits for its block.
func (n *Node) await(ctx context.Context, s *submission) (anchor.Block, error) {
	s.queued = time.Now()
	select {
	case n.submit <- s:
	case <-ctx.Done():
		return anchor.Block{}, fmt.Errorf("replication: anchor: %w", ctx.Err())
	}
	select {
	case r := <-s.done:
		return r.Block, r.Err
	case <-ctx.Done():
		return anchor.Block{}, fmt.Errorf("%w: %v", ErrUnavailable, ctx.Err())
	}
}

// forward sends manifests to the leader's peer API.
func (n *Node) forward(ctx context.Context, ms []anchor.Manifest, es []anchor.Entry) (anchor.Block, error) {
	id, addr, ok := n.leaderAPI()
	if !ok {
		return anchor.Block{}, fmt.Errorf("%w: no leader known (leader %q)", ErrUnavailable, id)
	}
	return n.client.submit(ctx, addr, ms, es, true)
}
