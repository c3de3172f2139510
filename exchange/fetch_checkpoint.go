package exchange

import (
	"context"
	"fmt"
	"time"
)

// covering returns this replica's latest quorum checkpoint once this
// replica holds every batch of ids and the checkpoint covers their
// blocks, polling for up to f.Wait (a batch anchored a moment ago may
// not have reached this replica, or not been cosigned by a quorum). A
// batch still missing then is left to ProveRecords, which names it.
func (f *Fetcher) covering(ctx context.Context, ids []string) (string, error) {
	deadline := time.Now().Add(f.Wait)
	for {
		need, batch, missing, err := f.needed(ctx, ids)
		if err != nil {
			return "", err
		}
		size := int64(0)
		text := ""
		if need > 0 && !missing {
			if text, err = f.Checkpoint(ctx); err != nil {
				return "", fmt.Errorf("exchange: this node's checkpoint: %w", err)
			}
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
		}
		switch {
		case need == 0 && !missing:
			return "", nil // no record to check against a checkpoint
		case !missing && text != "" && size >= need:
			return text, nil
		case !time.Now().Before(deadline) && missing:
			return "", nil
		case !time.Now().Before(deadline):
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

// needed returns the log size a checkpoint must reach to cover the
// blocks of every batch of ids that this replica holds, the batch that
// needs it, and whether some batch is not on this replica (yet).
func (f *Fetcher) needed(ctx context.Context, ids []string) (need int64, batch string, missing bool, err error) {
	for _, id := range ids {
		a, ok, err := f.Chain.Lookup(ctx, id)
		if err != nil {
			return 0, "", false, err
		}
		if !ok {
			missing = true
			continue
		}
		blk, err := f.Chain.Block(ctx, a.Height)
		if err != nil {
			return 0, "", false, err
		}
		if blk.LogSize > need {
			need, batch = blk.LogSize, id
		}
	}
	return need, batch, missing, nil
}

// batchIDs lists the batches of pages, each once.
func batchIDs(pages []Answer) []string {
	var ids []string
	seen := map[string]bool{}
	for _, ans := range pages {
		for _, b := range ans.Batches {
			if !seen[b.BatchID] {
				seen[b.BatchID] = true
				ids = append(ids, b.BatchID)
			}
		}
	}
	return ids
}
