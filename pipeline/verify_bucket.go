package pipeline

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"

	"github.com/healthanchor/healthanchor/anchor"
	"github.com/healthanchor/healthanchor/anchor/batchfile"
)

// readOnceMax is the largest object verifyStored fetches whole, in one
// request, into memory, so that it is read once: hashed, then decoded
// from memory. A larger object is hashed in one streaming request and
// decoded by ranged reads of its column chunks (its bytes read twice),
// to keep memory bounded.
const readOnceMax = 64 << 20

// verifyStored checks a published file as the kind file of batch batchID,
// from the folder or, for an object URL, from the bucket (OpenPublished),
// with the same messages either way. In a bucket, the object's size and
// footer are checked first, by ranged reads, so that a file that differs
// there is reported without downloading it.
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
	if err != nil {
		return none, fmt.Errorf("batch %s %s file %w", batchID, kind, err)
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
	if obj.Object != nil && f.Size() <= readOnceMax {
		var buf bytes.Buffer
		buf.Grow(int(f.Size()))
		if _, err := obj.WriteTo(&buf); err != nil {
			return none, fmt.Errorf("batch %s %s file %w", batchID, kind, err)
		}
		src = bytes.NewReader(buf.Bytes())
	}
	rep, err := n.Chain.VerifyBatchFrom(ctx, path, src, batchID, kind)
	n.Logger.Debug("verified from the bucket", "object", path, "bytes_read", fetched(), "size", f.Size())
	return rep, err
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
