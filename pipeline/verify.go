package pipeline

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/healthanchor/healthanchor/anchor"
)

// VerifyBatch verifies a batch by batch id or by file path. For an id,
// the batch's published rows file and rejects file are each checked as
// that batch's file of that kind (VerifyLocal). A path this node
// published is checked as the file of the batch it was published for;
// any other path as the batch its footer names. An object URL must be one
// of a file this node published.
func (n *Node) VerifyBatch(ctx context.Context, fileOrID string) ([]anchor.BatchReport, error) {
	n.WarnExposedStores()
	local, err := n.State.LocalBatches(ctx)
	if err != nil {
		return nil, err
	}
	if isObjectURL(fileOrID) {
		rep, err := n.VerifyObject(ctx, fileOrID)
		return []anchor.BatchReport{rep}, err
	}
	if _, err := os.Stat(fileOrID); err == nil {
		n.warnExposedBatch(fileOrID)
		if lb, kind, ok := publishedAt(local, fileOrID); ok {
			rep, err := n.Chain.VerifyBatchFile(ctx, fileOrID, lb.BatchID, kind)
			return []anchor.BatchReport{rep}, err
		}
		rep, err := n.Chain.VerifyBatch(ctx, fileOrID)
		return []anchor.BatchReport{rep}, err
	}
	lb, ok := local[fileOrID]
	if !ok {
		if _, onChain, err := n.Chain.Lookup(ctx, fileOrID); err == nil && onChain {
			return nil, fmt.Errorf("batch %s is on the chain but its file is not on this node; pass the file's path", fileOrID)
		}
		return nil, fmt.Errorf("%s is neither a file nor a batch id this node produced", fileOrID)
	}
	if lb.Status != BatchPublished && lb.Status != BatchRetained {
		return nil, fmt.Errorf("batch %s is %s, not published yet", fileOrID, lb.Status)
	}
	return n.VerifyLocal(ctx, lb)
}

// VerifyLocal checks a batch this node published: its rows file and its
// rejects file, each against the batch's own manifest (the rows fields
// for the one, the rejects fields for the other), or, for a file removed
// under retention, its retention entry (verifyFile). A batch whose
// manifest anchors a rejects file must have one.
func (n *Node) VerifyLocal(ctx context.Context, lb LocalBatch) ([]anchor.BatchReport, error) {
	var reps []anchor.BatchReport
	var errs []error
	n.warnExposedBatch(lb.ParquetPath)
	rep, err := n.verifyFile(ctx, lb, lb.ParquetPath, anchor.FileRows)
	reps, errs = append(reps, rep), append(errs, err)
	if lb.RejectsPath != "" {
		n.warnExposedBatch(lb.RejectsPath)
		rep, err := n.verifyFile(ctx, lb, lb.RejectsPath, anchor.FileRejects)
		reps, errs = append(reps, rep), append(errs, err)
	} else if a, ok, err := n.Chain.Lookup(ctx, lb.BatchID); err != nil {
		errs = append(errs, err)
	} else if ok && a.Manifest.RejectsSHA256 != "" {
		errs = append(errs, &anchor.Mismatch{Problems: []string{fmt.Sprintf("batch %s: the anchor has a rejects file (sha256 %.12s…), the state DB records none", lb.BatchID, a.Manifest.RejectsSHA256)}})
	}
	return reps, JoinMismatch(errs)
}

// publishedAt finds the batch whose rows or rejects file was published
// at path, and which of the two it is.
func publishedAt(local map[string]LocalBatch, path string) (LocalBatch, string, bool) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return LocalBatch{}, "", false
	}
	for _, lb := range local {
		switch abs {
		case lb.ParquetPath:
			return lb, anchor.FileRows, true
		case lb.RejectsPath:
			return lb, anchor.FileRejects, true
		}
	}
	return LocalBatch{}, "", false
}

// VerifyAll verifies the chain (VerifyChain) and every batch this node
// published (VerifyLocal), and returns how many files it checked.
func (n *Node) VerifyAll(ctx context.Context) (anchor.ChainReport, int, error) {
	n.WarnExposedStores()
	rep, err := n.VerifyChain(ctx)
	if err != nil {
		return rep, 0, err
	}
	reps, err := n.VerifyPublished(ctx)
	return rep, len(reps), err
}

// VerifyPublished checks every batch this node published (VerifyLocal),
// including those whose files were removed under retention, in batch id
// order, and returns the report of every file it checked.
func (n *Node) VerifyPublished(ctx context.Context) ([]anchor.BatchReport, error) {
	local, err := n.State.LocalBatches(ctx)
	if err != nil {
		return nil, err
	}
	ids := publishedIDs(local, BatchRetained)
	var all []anchor.BatchReport
	var errs []error
	for _, id := range ids {
		reps, err := n.VerifyLocal(ctx, local[id])
		all = append(all, reps...)
		errs = append(errs, err)
	}
	return all, JoinMismatch(errs)
}

// JoinMismatch merges verification errors into one Mismatch when they all
// are mismatches, or returns the first other error.
func JoinMismatch(errs []error) error {
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
