package pipeline

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/healthanchor/healthanchor/anchor"
)

// VerifyChain verifies the chain store from genesis to head
// (anchor.Chain.Verify), then checks it against what the state DB
// remembers (CheckHeld). Any failure is a Mismatch.
func (n *Node) VerifyChain(ctx context.Context) (anchor.ChainReport, error) {
	rep, err := n.Chain.Verify(ctx)
	if err != nil {
		// A store that lost blocks may fail on its own (a checkpoint of a
		// log it no longer holds); what it lost is said by CheckHeld.
		problems := []string{err.Error()}
		var held *anchor.Mismatch
		if herr := n.CheckHeld(ctx); errors.As(herr, &held) {
			problems = append(held.Problems, problems...)
		}
		return rep, &anchor.Mismatch{Problems: problems}
	}
	return rep, n.CheckHeld(ctx)
}

// CheckHeld checks the chain store against the state DB: the store must
// still hold the largest head this node recorded (same height, log size,
// log root and block hash; every checkpoint the node signed or cosigned
// is of a head it recorded), and every batch the state DB records as
// anchored must be on the chain, at the height recorded, with the same
// manifest. A chain store that lost its newest blocks is valid on its
// own; only this catches it. Failures are a Mismatch naming what is
// missing. It reads the blocks involved, not the whole chain.
func (n *Node) CheckHeld(ctx context.Context) error {
	head, err := n.Chain.Head(ctx)
	if err != nil {
		return &anchor.Mismatch{Problems: []string{fmt.Sprintf("%s: %v", n.Chain.Path(), err)}}
	}
	var problems []string
	held, ok, err := n.State.LargestHead(ctx)
	if err != nil {
		return err
	}
	switch {
	case !ok:
	case held.Height > head.Height || held.LogSize > head.LogSize:
		problems = append(problems, fmt.Sprintf("%s ends at height %d (log size %d), but this node %s",
			n.Chain.Path(), head.Height, head.LogSize, n.heldText(held)))
	default:
		if p := n.sameHead(ctx, held); p != "" {
			problems = append(problems, p)
		}
	}
	missing, differ, err := n.checkAnchored(ctx)
	if err != nil {
		return err
	}
	if len(missing) > 0 {
		problems = append(problems, fmt.Sprintf("batches %s recorded anchored in the state DB are missing from %s", strings.Join(missing, ", "), n.Chain.Path()))
	}
	problems = append(problems, differ...)
	if len(problems) > 0 {
		return &anchor.Mismatch{Problems: problems}
	}
	return nil
}

// heldText says what this node did with a held head and when.
func (n *Node) heldText(h HeldHead) string {
	when := h.RecordedAt
	if t, err := time.Parse(time.RFC3339Nano, when); err == nil {
		when = t.UTC().Format(time.RFC3339)
	}
	if h.Proposer == n.Config.Agency.ID {
		return fmt.Sprintf("signed block %d at log size %d (log root %.16s…) on %s", h.Height, h.LogSize, h.LogRoot, when)
	}
	return fmt.Sprintf("held block %d at log size %d (log root %.16s…) on %s, and cosigns only checkpoints of heads it held", h.Height, h.LogSize, h.LogRoot, when)
}

// sameHead checks that the chain's block at the held head's height is
// the one held, and says how it differs.
func (n *Node) sameHead(ctx context.Context, held HeldHead) string {
	b, err := n.Chain.Block(ctx, held.Height)
	if err != nil {
		return fmt.Sprintf("%s: block %d, which this node %s: %v", n.Chain.Path(), held.Height, n.heldText(held), err)
	}
	hash, err := b.Hash()
	if err != nil {
		return fmt.Sprintf("%s: block %d: %v", n.Chain.Path(), held.Height, err)
	}
	if b.LogSize != held.LogSize || b.LogRoot != held.LogRoot || hash != held.BlockHash {
		return fmt.Sprintf("%s holds another history: its block %d has log size %d, log root %.16s…, hash %.16s…, but this node %s (block hash %.16s…)",
			n.Chain.Path(), held.Height, b.LogSize, b.LogRoot, hash, n.heldText(held), held.BlockHash)
	}
	return ""
}

// checkAnchored finds the batches the state DB records as anchored that
// the chain does not hold (as "ID (height H)"), and those it holds
// elsewhere or with another manifest. Each block is read once.
func (n *Node) checkAnchored(ctx context.Context) (missing, differ []string, err error) {
	recorded, err := n.State.AnchoredBatches(ctx)
	if err != nil {
		return nil, nil, err
	}
	blocks := map[int64]map[string]string{} // height -> batch id -> leaf hash
	leaves := func(h int64) map[string]string {
		if m, ok := blocks[h]; ok {
			return m
		}
		m := map[string]string{}
		if b, err := n.Chain.Block(ctx, h); err == nil {
			for _, mf := range b.Manifests {
				if lh, err := mf.LeafHash(); err == nil {
					m[mf.BatchID] = fmt.Sprintf("%x", lh)
				}
			}
		}
		blocks[h] = m
		return m
	}
	for _, r := range recorded {
		if r.Height == 0 {
			// Recorded before heights were kept: it must be somewhere.
			if _, ok, err := n.Chain.Lookup(ctx, r.BatchID); err != nil || !ok {
				missing = append(missing, r.BatchID)
			}
			continue
		}
		lh, ok := leaves(r.Height)[r.BatchID]
		switch {
		case !ok:
			missing = append(missing, fmt.Sprintf("%s (height %d)", r.BatchID, r.Height))
		case r.LeafHash != "" && lh != r.LeafHash:
			differ = append(differ, fmt.Sprintf("batch %s: block %d holds a manifest with leaf hash %.16s…, the state DB recorded %.16s…", r.BatchID, r.Height, lh, r.LeafHash))
		}
	}
	return missing, differ, nil
}
