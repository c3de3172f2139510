package exchange

import (
	"context"
	"fmt"
	"time"
)

// covering returns this replica's latest quorum checkpoint once it covers
// the block of every batch in pages, polling f.Checkpoint for up to
// f.Wait. A batch this replica does not hold is left to ProveRecords,
// which names it.
func (f *Fetcher) covering(ctx context.Context, pages []Answer) (string, error) {
	need, batch := int64(0), ""
	for _, ans := range pages {
		for _, b := range ans.Batches {
			a, ok, err := f.Chain.Lookup(ctx, b.BatchID)
			if err != nil {
				return "", err
			}
			if !ok {
				continue
			}
			blk, err := f.Chain.Block(ctx, a.Height)
			if err != nil {
				return "", err
			}
			if blk.LogSize > need {
				need, batch = blk.LogSize, b.BatchID
			}
		}
	}
	if need == 0 {
		return "", nil // no record to check against a checkpoint
	}
	deadline := time.Now().Add(f.Wait)
	for {
		text, err := f.Checkpoint(ctx)
		if err != nil {
			return "", fmt.Errorf("exchange: this node's checkpoint: %w", err)
		}
		size := int64(0)
		if text != "" {
			cp, ok, err := f.Chain.QuorumSigned(ctx, text)
			if err != nil {
				return "", fmt.Errorf("%w: this node's checkpoint: %v", ErrVerify, err)
			}
			if !ok {
				return "", fmt.Errorf("%w: this node's checkpoint at log size %d is signed by %v only, not a quorum", ErrVerify, cp.Size, cp.Signers)
			}
			size = cp.Size
		}
		if text != "" && size >= need {
			return text, nil
		}
		if !time.Now().Before(deadline) {
			return "", fmt.Errorf("%w: batch %s needs a checkpoint of this node's log at size %d or more, but after %s the latest one a quorum signed here is at size %d: fetch again once the members have cosigned it",
				ErrVerify, batch, need, f.Wait, size)
		}
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}
