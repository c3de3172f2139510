package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/healthanchor/healthanchor/anchor"
	"github.com/healthanchor/healthanchor/anchor/batchfile"
	"github.com/healthanchor/healthanchor/internal/fsutil"
)

// verifyStored checks a published file as the kind file of batch batchID,
// from the folder or, for an object URL, from the bucket (OpenPublished),
// with the same messages either way. In a bucket, the object's size and
// footer are checked first, by ranged reads, so that a file that differs
// there is reported without downloading it; otherwise the object is
// fetched once (fetchOnce) and checked from that copy.
func (n *Node) verifyStored(ctx context.Context, path, batchID, kind string) (anchor.BatchReport, error) {
	if !isObjectURL(path) {
		return n.Chain.VerifyBatchFile(ctx, path, batchID, kind)
	}
	none := anchor.BatchReport{Path: path, BatchID: batchID, Kind: kind}
	f, err := n.OpenPublished(ctx, path)
	if errors.Is(err, fs.ErrNotExist) {
		return none, &anchor.Mismatch{Problems: []string{
			fmt.Sprintf("batch %s %s file %s is missing", batchID, kind, path)}}
	}
	var oe *outputError
	if errors.As(err, &oe) {
		return none, fmt.Errorf("batch %s %s file %w", batchID, kind, err)
	}
	if err != nil {
		return none, err
	}
	defer f.Close()
	obj, _ := f.(PublishedObject)
	fetched := func() int64 {
		if obj.Object == nil {
			return 0
		}
		return obj.Fetched()
	}
	if err := n.Chain.CheckFooter(ctx, path, f, f.Size(), batchID, kind); err != nil {
		n.Logger.Debug("footer differs from the anchor", "object", path, "bytes_read", fetched(), "size", f.Size())
		return none, err
	}
	var src batchfile.Source = f
	if obj.Object != nil {
		local, err := n.fetchOnce(obj)
		if err != nil {
			return none, fmt.Errorf("batch %s %s file %s: %w", batchID, kind, path, err)
		}
		defer func() { local.Close(); n.removeTemp(local.Name()) }()
		src = local
	}
	rep, err := n.Chain.VerifyBatchFrom(ctx, path, src, batchID, kind)
	n.Logger.Debug("verified from the bucket", "object", path, "bytes_read", fetched(), "size", f.Size())
	return rep, err
}

// fetchOnce copies the object, in one GET, into a temporary file in
// output_dir/.tmp (readable by the owner only), so that hashing and
// decoding it read it from the store once, with memory bounded. The
// caller closes and removes the file.
func (n *Node) fetchOnce(obj PublishedObject) (*os.File, error) {
	if err := fsutil.MkdirAll(n.tmpDir(), n.Config.DirPerm()); err != nil {
		return nil, err
	}
	f, err := os.CreateTemp(n.tmpDir(), "verify-*.parquet.tmp")
	if err != nil {
		return nil, err
	}
	if _, err := obj.WriteTo(f); err != nil {
		f.Close()
		n.removeTemp(f.Name())
		return nil, err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		f.Close()
		n.removeTemp(f.Name())
		return nil, err
	}
	return f, nil
}

// VerifyObject checks the object at url, which must be a file this node
// published, as that batch's file (VerifyBatch with an object URL).
func (n *Node) VerifyObject(ctx context.Context, url string) (anchor.BatchReport, error) {
	local, err := n.State.LocalBatches(ctx)
	if err != nil {
		return anchor.BatchReport{Path: url}, err
	}
	for _, lb := range local {
		for _, f := range [][2]string{{lb.ParquetPath, anchor.FileRows}, {lb.RejectsPath, anchor.FileRejects}} {
			if f[0] == url {
				return n.verifyFile(ctx, lb, url, f[1])
			}
		}
	}
	return anchor.BatchReport{Path: url}, fmt.Errorf("%s is not a file this node published", url)
}
