package lifecycle

import (
	"context"
	"fmt"
	"sort"

	"github.com/healthanchor/healthanchor/anchor"
)

// EntryAnchor is how the stamper puts timestamp entries on the chain;
// cmd/healthanchor wires it to the node (pipeline.Node).
type EntryAnchor struct {
	// Agency is the node's agency: only its own entries name its tokens.
	Agency string
	// Entries lists the chain's anchored entries of kind, in log order.
	Entries func(ctx context.Context, kind string) ([]anchor.AnchoredEntry, error)
	// Anchor signs body as an entry of kind in the agency's name and
	// anchors it, returning the block that holds it.
	Anchor func(ctx context.Context, kind string, body any) (anchor.Entry, anchor.Block, error)
}

// AnchoredStamp is a timestamp entry the stamper anchored.
type AnchoredStamp struct {
	CheckpointSize int64
	Tokens         int
	Height         int64 // the block holding the entry
}

// AnchorStored anchors one timestamp entry per checkpoint for the stored
// tokens that no entry of this agency names yet, by log size. It is
// idempotent: a round stopped after storing tokens and before anchoring
// them is finished by the next. Without an EntryAnchor it does nothing.
func (s *Stamper) AnchorStored(ctx context.Context) ([]AnchoredStamp, error) {
	if s.Entries == nil {
		return nil, nil
	}
	list, err := namedTokens(ctx, s.Entries)
	if err != nil {
		return nil, err
	}
	named := byDigest(list)
	all, err := s.Store.All(ctx)
	if err != nil {
		return nil, err
	}
	pending := map[int64][]StoredToken{}
	for _, t := range all {
		if _, ok := named[tokenDigest(t.Token)]; !ok {
			pending[t.CheckpointSize] = append(pending[t.CheckpointSize], t)
		}
	}
	sizes := make([]int64, 0, len(pending))
	for size := range pending {
		sizes = append(sizes, size)
	}
	sort.Slice(sizes, func(a, b int) bool { return sizes[a] < sizes[b] })
	var out []AnchoredStamp
	for _, size := range sizes {
		body, err := NewTimestampEntry(pending[size])
		if err != nil {
			return out, err
		}
		_, b, err := s.Entries.Anchor(ctx, anchor.KindTimestamp, body)
		if err != nil {
			return out, fmt.Errorf("lifecycle: timestamp entry for log size %d: %w", size, err)
		}
		out = append(out, AnchoredStamp{CheckpointSize: size, Tokens: len(body.Tokens), Height: b.Height})
	}
	return out, nil
}

// namedToken is a token a timestamp entry of the agency names.
type namedToken struct {
	EntryToken
	CheckpointSize int64
	Imprint        string
	Height         int64 // the block holding the entry
}

// namedTokens lists every token the agency's timestamp entries name, in
// log order.
func namedTokens(ctx context.Context, a *EntryAnchor) ([]namedToken, error) {
	entries, err := a.Entries(ctx, anchor.KindTimestamp)
	if err != nil {
		return nil, fmt.Errorf("lifecycle: timestamp entries: %w", err)
	}
	var out []namedToken
	for _, e := range entries {
		if e.Entry.Agency != a.Agency {
			continue
		}
		body, err := TimestampOf(e.Entry)
		if err != nil {
			return nil, fmt.Errorf("lifecycle: timestamp entry in block %d: %w", e.Height, err)
		}
		for _, t := range body.Tokens {
			out = append(out, namedToken{EntryToken: t, CheckpointSize: body.CheckpointSize, Imprint: body.Imprint, Height: e.Height})
		}
	}
	return out, nil
}

// byDigest maps each named token's digest to the first entry naming it.
func byDigest(named []namedToken) map[string]namedToken {
	out := map[string]namedToken{}
	for _, t := range named {
		if _, seen := out[t.TokenSHA256]; !seen {
			out[t.TokenSHA256] = t
		}
	}
	return out
}
