package pipeline

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"log/slog"
	"time"

	"github.com/healthanchor/healthanchor/anchor"
)

// Anchorer commits signed manifests to the chain and returns the block
// that holds them once it is committed. A single node proposes the block
// itself; a replicated node submits to its cluster. Implementations
// refuse a batch id already on the chain with anchor.ErrDuplicateBatch,
// and may be retried with the same manifests when the outcome is unknown.
type Anchorer interface {
	Anchor(ctx context.Context, manifests []anchor.Manifest) (anchor.Block, error)
	// AnchorEntries commits signed entries (disclosures, erasures,
	// retention, timestamps) as Anchor does manifests; an entry already
	// on the chain is anchor.ErrDuplicateEntry.
	AnchorEntries(ctx context.Context, entries []anchor.Entry) (anchor.Block, error)
}

// localAnchorer proposes blocks directly on the node's own chain store,
// and signs the checkpoint of each new head: on a single-node chain the
// node is the whole quorum its record proofs need.
type localAnchorer struct {
	chain    *anchor.Chain
	proposer string
	key      ed25519.PrivateKey
	now      func() time.Time
	logger   *slog.Logger
}

func (l localAnchorer) Anchor(ctx context.Context, manifests []anchor.Manifest) (anchor.Block, error) {
	return l.propose(ctx, manifests, nil)
}

func (l localAnchorer) AnchorEntries(ctx context.Context, entries []anchor.Entry) (anchor.Block, error) {
	return l.propose(ctx, nil, entries)
}

func (l localAnchorer) propose(ctx context.Context, manifests []anchor.Manifest, entries []anchor.Entry) (anchor.Block, error) {
	b, err := l.chain.ProposeBlock(ctx, manifests, entries, l.proposer, l.key, l.now())
	if err != nil {
		return b, err
	}
	if _, err := l.chain.SignCheckpoint(ctx, l.proposer, l.key); err != nil {
		// The block is anchored: failing the run would only make it
		// retry a batch already on the chain. prove signs the head's
		// checkpoint again when it needs one.
		l.logger.Warn("block anchored, but its checkpoint was not stored", "height", b.Height, "err", err)
	}
	return b, nil
}

// syncer is an optional ability of an Anchorer whose chain store is a
// replica of a cluster's chain: Sync waits until the local chain holds
// every block the cluster had committed when it was called (an error
// when that cannot be known now). Until then a batch whose submission
// committed while its reply was lost may be missing from the local chain.
type syncer interface {
	Sync(ctx context.Context) error
}

// AnchorEntry signs body as an entry of kind in this node's agency's name
// and anchors it (locally or through the cluster), returning the entry
// and the block that holds it.
func (n *Node) AnchorEntry(ctx context.Context, kind string, body any) (anchor.Entry, anchor.Block, error) {
	e, err := anchor.NewEntry(n.Chain.ChainID(), kind, n.Config.Agency.ID, body, n.signingKey, n.now())
	if err != nil {
		return anchor.Entry{}, anchor.Block{}, fmt.Errorf("%s entry: %w", kind, err)
	}
	b, err := n.Anchorer.AnchorEntries(ctx, []anchor.Entry{e})
	if err != nil {
		return e, b, fmt.Errorf("anchor %s entry: %w", kind, err)
	}
	return e, b, nil
}
