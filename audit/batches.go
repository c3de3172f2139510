package audit

import (
	"context"
	"fmt"
	"sort"

	"github.com/healthanchor/healthanchor/anchor"
	"github.com/healthanchor/healthanchor/anchor/batchfile"
	"github.com/healthanchor/healthanchor/schemas"
)

// listBatches returns every batch on the chain in log order, with its
// block and, for batches this node published, its files.
func listBatches(ctx context.Context, src Sources, checkpointSize int64) ([]BatchLine, error) {
	anchored, err := src.Chain.Manifests(ctx)
	if err != nil {
		return nil, fmt.Errorf("audit: manifests: %w", err)
	}
	local, err := src.History.Published(ctx)
	if err != nil {
		return nil, fmt.Errorf("audit: published files: %w", err)
	}
	blocks := map[int64]anchor.Block{}
	out := make([]BatchLine, 0, len(anchored))
	for _, a := range anchored {
		b, ok := blocks[a.Height]
		if !ok {
			if b, err = src.Chain.Block(ctx, a.Height); err != nil {
				return nil, fmt.Errorf("audit: block %d: %w", a.Height, err)
			}
			blocks[a.Height] = b
		}
		hash, err := b.Hash()
		if err != nil {
			return nil, fmt.Errorf("audit: block %d: %w", a.Height, err)
		}
		m := a.Manifest
		l := BatchLine{BatchID: m.BatchID, Job: m.Job, Agency: m.Agency, Schema: m.Schema, Rows: m.Rows, Rejects: m.Rejects,
			MerkleRoot: m.MerkleRoot, RejectsRoot: m.RejectsRoot, CreatedAt: m.CreatedAt,
			BlockHeight: a.Height, BlockHash: hash, BlockTime: b.Time, LogIndex: a.LogIndex}
		if a.LogIndex < checkpointSize {
			l.CheckpointSize = checkpointSize
		}
		if f, ok := local[m.BatchID]; ok {
			l.ParquetPath, l.RejectsPath = f.ParquetPath, f.RejectsPath
		}
		out = append(out, l)
	}
	return out, nil
}

// addBatches keeps the batches created in the period.
func (r *Report) addBatches(ctx context.Context, src Sources) error {
	all, err := listBatches(ctx, src, r.Checkpoint.LogSize)
	if err != nil {
		return err
	}
	r.Batches = []BatchLine{}
	for _, b := range all {
		if r.Period.Contains(b.CreatedAt) {
			r.Batches = append(r.Batches, b)
		}
	}
	return nil
}

// addRejectReasons counts the redacted reasons of every rejects file of
// the period held here, most frequent first. A file that does not read
// is left to the verification, which reports it.
func (r *Report) addRejectReasons(ctx context.Context, src Sources) error {
	counts := map[string]int64{}
	for _, b := range r.Batches {
		if b.RejectsPath == "" {
			continue
		}
		err := src.readRejects(ctx, b.RejectsPath, func(row batchfile.Reject) error {
			counts[schemas.RedactReason(row.SourceRef, row.Reason)]++
			return nil
		})
		if err != nil {
			counts["(rejects file unreadable: see verification)"]++
		}
	}
	r.Reasons = []ReasonCount{}
	for reason, n := range counts {
		r.Reasons = append(r.Reasons, ReasonCount{Reason: reason, Count: n})
	}
	sort.Slice(r.Reasons, func(a, b int) bool {
		if r.Reasons[a].Count != r.Reasons[b].Count {
			return r.Reasons[a].Count > r.Reasons[b].Count
		}
		return r.Reasons[a].Reason < r.Reasons[b].Reason
	})
	return ctx.Err()
}

// verify re-checks the chain and every file of the period held here.
func (r *Report) verify(ctx context.Context, v Verifier) {
	r.Verified = Verification{Checks: []Check{checkChain(ctx, v)}, NotHeld: []string{}}
	for _, b := range r.Batches {
		if b.ParquetPath == "" {
			r.Verified.NotHeld = append(r.Verified.NotHeld, b.BatchID)
			continue
		}
		for _, p := range []string{b.ParquetPath, b.RejectsPath} {
			if p != "" {
				r.Verified.Checks = append(r.Verified.Checks, checkFile(ctx, v, p))
				r.Verified.Verified++
			}
		}
	}
	r.Verified.OK = true
	for _, c := range r.Verified.Checks {
		r.Verified.OK = r.Verified.OK && c.OK
	}
}
