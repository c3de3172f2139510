package pipeline

import (
	"context"
	"errors"
	"fmt"

	"github.com/healthanchor/healthanchor/anchor"
	"github.com/healthanchor/healthanchor/storage"
)

// verifyStored checks a published file as the kind file of batch batchID,
// from the folder or, for an object URL, from the bucket by ranged reads
// (VerifyBatchFrom), with the same messages either way.
func (n *Node) verifyStored(ctx context.Context, path, batchID, kind string) (anchor.BatchReport, error) {
	if !isObjectURL(path) {
		return n.Chain.VerifyBatchFile(ctx, path, batchID, kind)
	}
	bk, err := n.Bucket(ctx)
	if err != nil {
		return anchor.BatchReport{Path: path, BatchID: batchID, Kind: kind}, err
	}
	if bk == nil {
		return anchor.BatchReport{Path: path, BatchID: batchID, Kind: kind},
			fmt.Errorf("batch %s %s file %s is in an object store, but the config's output is a folder: set output to that store", batchID, kind, path)
	}
	rel, ok := bk.Rel(path)
	if !ok {
		return anchor.BatchReport{Path: path, BatchID: batchID, Kind: kind},
			fmt.Errorf("batch %s %s file %s is not in the configured output %s", batchID, kind, path, bk.URL(""))
	}
	obj, err := bk.Open(ctx, rel)
	if errors.Is(err, storage.ErrNotFound) {
		return anchor.BatchReport{Path: path, BatchID: batchID, Kind: kind}, &anchor.Mismatch{Problems: []string{
			fmt.Sprintf("batch %s %s file %s is missing", batchID, kind, path)}}
	}
	if err != nil {
		return anchor.BatchReport{Path: path, BatchID: batchID, Kind: kind}, err
	}
	// The size and the footer first, by ranged reads: a file that
	// differs there is reported without downloading it.
	if err := n.Chain.CheckFooter(ctx, path, obj, obj.Size(), batchID, kind); err != nil {
		n.Logger.Debug("footer differs from the anchor", "object", path, "bytes_read", obj.Fetched(), "size", obj.Size())
		return anchor.BatchReport{Path: path, BatchID: batchID, Kind: kind}, err
	}
	rep, err := n.Chain.VerifyBatchFrom(ctx, path, obj, batchID, kind)
	n.Logger.Debug("verified from the bucket", "object", path, "bytes_read", obj.Fetched(), "size", obj.Size())
	return rep, err
}
