package pipeline

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/healthanchor/healthanchor/anchor"
)

// VerifyBatch verifies a batch by file path or by batch id; for an id, the
// batch's published rows file and rejects file (when there is one) are
// both checked.
func (n *Node) VerifyBatch(ctx context.Context, fileOrID string) ([]anchor.BatchReport, error) {
	n.WarnExposedStores()
	if _, err := os.Stat(fileOrID); err == nil {
		n.warnExposedBatch(fileOrID)
		rep, err := n.Chain.VerifyBatch(ctx, fileOrID)
		return []anchor.BatchReport{rep}, err
	}
	local, err := n.State.LocalBatches(ctx)
	if err != nil {
		return nil, err
	}
	lb, ok := local[fileOrID]
	if !ok {
		if _, onChain, err := n.Chain.Lookup(ctx, fileOrID); err == nil && onChain {
			return nil, fmt.Errorf("batch %s is on the chain but its file is not on this node; pass the file's path", fileOrID)
		}
		return nil, fmt.Errorf("%s is neither a file nor a batch id this node produced", fileOrID)
	}
	if lb.Status != BatchPublished {
		return nil, fmt.Errorf("batch %s is %s, not published yet", fileOrID, lb.Status)
	}
	var reps []anchor.BatchReport
	var errs []error
	for _, p := range []string{lb.ParquetPath, lb.RejectsPath} {
		if p == "" {
			continue
		}
		n.warnExposedBatch(p)
		rep, err := n.Chain.VerifyBatch(ctx, p)
		reps = append(reps, rep)
		errs = append(errs, err)
	}
	return reps, joinMismatch(errs)
}

// VerifyAll verifies the chain and every batch file this node published.
func (n *Node) VerifyAll(ctx context.Context) (anchor.ChainReport, int, error) {
	n.WarnExposedStores()
	rep, err := n.Chain.Verify(ctx)
	if err != nil {
		return rep, 0, &anchor.Mismatch{Problems: []string{err.Error()}}
	}
	local, err := n.State.LocalBatches(ctx)
	if err != nil {
		return rep, 0, err
	}
	files := 0
	var errs []error
	for _, lb := range local {
		if lb.Status != BatchPublished {
			continue
		}
		for _, p := range []string{lb.ParquetPath, lb.RejectsPath} {
			if p == "" {
				continue
			}
			files++
			n.warnExposedBatch(p)
			_, err := n.Chain.VerifyBatch(ctx, p)
			errs = append(errs, err)
		}
	}
	return rep, files, joinMismatch(errs)
}

// joinMismatch merges verification errors into one Mismatch when they all
// are mismatches, or returns the first other error.
func joinMismatch(errs []error) error {
	var all anchor.Mismatch
	for _, err := range errs {
		if err == nil {
			continue
		}
		var m *anchor.Mismatch
		if !errors.As(err, &m) {
			return err
		}
		all.Problems = append(all.Problems, m.Problems...)
	}
	if len(all.Problems) == 0 {
		return nil
	}
	return &all
}
