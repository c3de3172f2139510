package pipeline

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/healthanchor/healthanchor/internal/fsutil"
)

// publish moves the job's anchored temporary files to their final names,
// adds them to the patient index, then records the batches published and
// moves the watermark in one state transaction. A final file already there (a run that crashed after
// publishing) must match its anchor; the fresh copy is then dropped.
func (n *Node) publish(ctx context.Context, w *jobWork) error {
	if n.Config.Store() != nil {
		return n.publishToBucket(ctx, w)
	}
	dir := filepath.Join(n.Config.Path(n.Config.OutputDir), w.job.Name)
	if err := fsutil.MkdirAll(dir, n.Config.DirPerm()); err != nil {
		return fmt.Errorf("pipeline: publish: %w", err)
	}
	var done []LocalBatch
	for _, b := range w.batches {
		m := b.anchor.Manifest
		b.parquetPath = filepath.Join(dir, b.id+".parquet")
		if err := place(b.rows.Path, b.parquetPath, hex.EncodeToString(b.rows.SHA256), m.ParquetSHA256); err != nil {
			return err
		}
		if b.rejects != nil {
			b.rejectsPath = filepath.Join(dir, b.id+".rejects.parquet")
			if err := place(b.rejects.Path, b.rejectsPath, hex.EncodeToString(b.rejects.SHA256), m.RejectsSHA256); err != nil {
				return err
			}
		}
		done = append(done, LocalBatch{BatchID: b.id, Job: w.job.Name, Schema: b.schema.ID(), Status: BatchPublished,
			ParquetPath: b.parquetPath, RejectsPath: b.rejectsPath})
	}
	if err := syncDir(dir); err != nil {
		return err
	}
	n.crash("published")
	// Indexed before recorded as published, so that a batch listed as
	// published is one whose patients a fetch finds.
	n.indexPublished(ctx, done)
	if err := n.State.Complete(ctx, w.job.Name, w.window, done); err != nil {
		return err
	}
	return nil
}

// place renames tmp (whose digest, computed as it was written, is
// written) to final unless final already holds the anchored bytes. Either
// way tmp is gone afterwards, and final has digest want.
func place(tmp, final, written, want string) error {
	if got, err := fsutil.HashFile(final); err == nil {
		if got != want {
			return fmt.Errorf("pipeline: %s exists but differs from its anchor (sha256 %.12s…, anchored %.12s…); move it aside and re-run", final, got, want)
		}
		return os.Remove(tmp)
	} else if !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("pipeline: publish: %w", err)
	}
	if written != want {
		return fmt.Errorf("pipeline: %s: re-written file has sha256 %.12s…, anchored %.12s…", tmp, written, want)
	}
	if err := os.Rename(tmp, final); err != nil {
		return fmt.Errorf("pipeline: publish: %w", err)
	}
	return nil
}

func syncDir(dir string) error {
	if err := fsutil.SyncDir(dir); err != nil {
		return fmt.Errorf("pipeline: publish: fsync %s: %w", dir, err)
	}
	return nil
}
