package lifecycle

import (
	"context"
	"fmt"

	"github.com/healthanchor/healthanchor/anchor/batchfile"
)

// FileStore holds batch files elsewhere than in a local folder (an object
// store). Erasure reads a file through it, writes the rewrite to a local
// file, and hands that to Replace.
type FileStore interface {
	// Holds says whether the file at path is in the store (a local path
	// is rewritten in its folder).
	Holds(path string) bool
	// Open opens the batch file at path for reading.
	Open(ctx context.Context, path string) (batchfile.File, error)
	// TempPath is the local file the rewrite of the file at path is
	// written to.
	TempPath(path string) string
	// Replace makes the local file tmp the batch file at path, in an
	// order that a kill at any point leaves the old file or the new one
	// published, and records that erased rows of it are in erased form.
	// With tmp "" nothing was rewritten (a re-run: the file already is in
	// erased form) and only that record is brought up to date.
	Replace(ctx context.Context, t Target, tmp string, erased int64) error
}

// rewriteStored is rewrite for a file in e.Store: the rewrite is written
// to a local temporary file, then Replace publishes it.
func (e Eraser) rewriteStored(ctx context.Context, fo *FileOutcome) error {
	f, err := e.Store.Open(ctx, fo.Path)
	if err != nil {
		return fmt.Errorf("lifecycle: erase: batch %s %s file: %w", fo.BatchID, fo.File, err)
	}
	defer f.Close()
	tmp := e.Store.TempPath(fo.Path)
	if err := removeStale(tmp); err != nil {
		return fmt.Errorf("lifecycle: erase: batch %s: %w", fo.BatchID, err)
	}
	res, err := batchfile.EraseFrom(ctx, fo.Path, f, tmp, fo.Rows, e.Mode)
	if err != nil {
		return fmt.Errorf("lifecycle: erase: batch %s %s file: %w", fo.BatchID, fo.File, err)
	}
	fo.Erased, fo.Already = res.New, int64(len(fo.Rows))-res.New
	if res.New == 0 {
		if err := e.Store.Replace(ctx, fo.Target, "", int64(len(res.Erased))); err != nil {
			return fmt.Errorf("lifecycle: erase: batch %s %s file: %w", fo.BatchID, fo.File, err)
		}
		return nil
	}
	e.crash("erase-written")
	if err := e.Store.Replace(ctx, fo.Target, tmp, int64(len(res.Erased))); err != nil {
		return fmt.Errorf("lifecycle: erase: batch %s %s file: %w", fo.BatchID, fo.File, err)
	}
	fo.Bytes = res.Size
	e.Logger.Info("batch file rewritten", "batch", fo.BatchID, "file", fo.File, "erased", res.New, "bytes", res.Size)
	e.crash("erase-renamed")
	return nil
}
