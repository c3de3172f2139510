package pipeline

import (
	"context"
	"fmt"
	"time"

	"github.com/healthanchor/healthanchor/anchor/batchfile"
	"github.com/healthanchor/healthanchor/storage"
)

// batchOut is a batch file being written to the temporary folder and,
// when the output is an object store, streamed to its staging key at the
// same time (storage.Stream), so that staging costs no upload after the
// file is written.
type batchOut struct {
	*batchfile.Writer
	stream *storage.Stream // nil for a folder
	id     string
}

// createBatch starts a batch file of batch id (by create); kind is
// anchor.FileRows or anchor.FileRejects (its staging key).
func (n *Node) createBatch(ctx context.Context, id, kind string, create func(batchfile.Options) (*batchfile.Writer, error), opt batchfile.Options) (*batchOut, error) {
	out := &batchOut{id: id}
	bk, err := n.Bucket(ctx)
	if err != nil {
		return nil, fmt.Errorf("pipeline: stage: %w", err)
	}
	if bk != nil {
		key := storage.StagingKey(id, kind)
		// An unfinished upload of this key was left by a run of the same
		// window that died mid-upload (the job lock rules out a live one).
		aborted, err := bk.AbortUploads(ctx, key, func(rel string, _ time.Time) bool { return rel == key })
		if len(aborted) > 0 {
			n.Logger.Warn("aborted unfinished uploads left by interrupted runs", "uploads", len(aborted), "keys", aborted[0])
		}
		if err != nil {
			n.Logger.Error("could not abort unfinished uploads", "err", err)
		}
		if out.stream, err = bk.NewStream(ctx, key); err != nil {
			return nil, fmt.Errorf("pipeline: stage batch %s: %w", id, err)
		}
		opt.Tee = out.stream
	}
	if out.Writer, err = create(opt); err != nil {
		if out.stream != nil {
			out.stream.Abort()
		}
		return nil, err
	}
	return out, nil
}

// Close finishes the file, then its upload; staged says whether the
// file is now at its staging key.
func (o *batchOut) Close() (res batchfile.Result, staged bool, err error) {
	res, err = o.Writer.Close()
	if o.stream == nil {
		return res, false, err
	}
	if err != nil {
		o.stream.Abort()
		return res, false, err
	}
	if err := o.stream.Close(); err != nil {
		return res, false, fmt.Errorf("pipeline: stage batch %s: %w", o.id, err)
	}
	return res, true, nil
}

// Abort stops the file and its upload. The upload is cancelled first,
// so that the file's last writes fail at once rather than wait on the
// store.
func (o *batchOut) Abort() {
	if o.stream != nil {
		o.stream.Cancel()
	}
	o.Writer.Abort()
	if o.stream != nil {
		o.stream.Abort()
	}
}
