package lifecycle

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/transparency-dev/formats/log"

	"github.com/healthanchor/healthanchor/anchor"
)

// stampedCheckpoint is the part of a signed checkpoint note a token
// stamps: its body, the C2SP tlog-checkpoint text (origin, size, base64
// root, one per line), without the signatures, which a replicated chain
// adds to over time. The imprint is SHA-256 of the body's bytes.
type stampedCheckpoint struct {
	Body   string
	Size   int64
	Root   string // hex
	Origin string
	Digest []byte
}

// parseCheckpoint splits a signed checkpoint note and hashes its body.
func parseCheckpoint(noteText string) (stampedCheckpoint, error) {
	i := strings.Index(noteText, "\n\n")
	if i < 0 {
		return stampedCheckpoint{}, errors.New("lifecycle: checkpoint: not a signed note (no blank line before the signatures)")
	}
	body := noteText[:i+1]
	var cp log.Checkpoint
	if _, err := cp.Unmarshal([]byte(body)); err != nil {
		return stampedCheckpoint{}, fmt.Errorf("lifecycle: checkpoint: %w", err)
	}
	d := sha256.Sum256([]byte(body))
	return stampedCheckpoint{Body: body, Size: int64(cp.Size), Root: hex.EncodeToString(cp.Hash), Origin: cp.Origin, Digest: d[:]}, nil
}

// BlockReader is what the timestamp checks read of the chain;
// *anchor.Chain satisfies it.
type BlockReader interface {
	ChainID() string
	Head(ctx context.Context) (anchor.Block, error)
	Block(ctx context.Context, height int64) (anchor.Block, error)
}

// checkOnChain checks that the checkpoint is of this chain: its origin is
// the chain id and a block ends the log at its size with its root. It
// returns that block's height.
func checkOnChain(ctx context.Context, chain BlockReader, cp stampedCheckpoint) (int64, error) {
	if cp.Origin != chain.ChainID() {
		return 0, fmt.Errorf("checkpoint origin %q is not this chain (%q)", cp.Origin, chain.ChainID())
	}
	head, err := chain.Head(ctx)
	if err != nil {
		return 0, err
	}
	// Log sizes never decrease along the chain: find the first block at
	// the size by bisection.
	lo, hi := int64(0), head.Height
	for lo < hi {
		mid := (lo + hi) / 2
		b, err := chain.Block(ctx, mid)
		if err != nil {
			return 0, err
		}
		if b.LogSize < cp.Size {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	b, err := chain.Block(ctx, lo)
	if err != nil {
		return 0, err
	}
	if b.LogSize != cp.Size || b.LogRoot != cp.Root {
		return 0, fmt.Errorf("no block of this chain has log size %d with root %.16s…", cp.Size, cp.Root)
	}
	return b.Height, nil
}
