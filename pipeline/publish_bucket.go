package pipeline

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/healthanchor/healthanchor/anchor"
	"github.com/healthanchor/healthanchor/storage"
)

// Publishing to an object store keeps the folder's crash-safe order
// (docs/storage.md):
//
//  1. stage: stream each batch file to a staging key
//     (storage.StagingKey) as it is written (stage_stream.go), before
//     anchoring;
//  2. anchor the manifests;
//  3. publish: copy each staged object to its final key with a copy that
//     never overwrites, unless the final key already holds the anchored
//     bytes (a run that crashed after publishing); write the sidecar;
//     delete the staged objects;
//  4. record the batches and move the watermark in the state DB.
//
// The crash steps (Node.CrashAt) are "written" (files written and
// staged), "staged" (old staged objects cleaned up), "anchored", "copied"
// (a batch's files at their final keys, no sidecar yet), "published"
// (every sidecar written), "unstaged" (staged objects deleted) and
// "recorded" (watermark moved, local temporary files still there).
//
// A run killed at any step leaves a pending window; the next run
// re-extracts it to the same batch ids, stages again (overwriting), finds
// the batches on the chain and completes step 3, so no object is lost,
// doubled or left over. Staged objects of windows that never anchored
// are deleted once older than staleStaging.

// staleStaging is how old a staged object must be before a run deletes it
// as left over.
const staleStaging = 24 * time.Hour

// stage cleans up old staged objects and uploads any of the run's batch
// files not already streamed to its staging key, when the output is an
// object store; it does nothing for a folder.
func (n *Node) stage(ctx context.Context, works []*jobWork) error {
	if len(works) == 0 || n.Config.Store() == nil {
		return nil
	}
	bk, err := n.Bucket(ctx)
	if err != nil {
		return fmt.Errorf("pipeline: stage: %w", err)
	}
	ours := map[string]bool{}
	for _, w := range works {
		for _, b := range w.batches {
			ours[storage.StagingKey(b.id, anchor.FileRows)] = true
			if b.rejects != nil {
				ours[storage.StagingKey(b.id, anchor.FileRejects)] = true
			}
		}
	}
	n.cleanStaging(ctx, bk, ours)
	// The files were streamed to their staging keys as they were written
	// (stage_stream.go); one that was not is uploaded now.
	for _, w := range works {
		for _, b := range w.batches {
			if !b.rowsStaged {
				if err := bk.Upload(ctx, storage.StagingKey(b.id, anchor.FileRows), b.rows.Path); err != nil {
					return fmt.Errorf("pipeline: stage batch %s: %w", b.id, err)
				}
			}
			if b.rejects != nil && !b.rejectsStaged {
				if err := bk.Upload(ctx, storage.StagingKey(b.id, anchor.FileRejects), b.rejects.Path); err != nil {
					return fmt.Errorf("pipeline: stage batch %s rejects: %w", b.id, err)
				}
			}
		}
	}
	n.crash("staged")
	return nil
}

// cleanStaging deletes staged objects older than staleStaging (left by
// runs whose window never anchored), other than this run's (ours), and
// reports them. It also aborts the
// unfinished multipart uploads under the staging prefix (left when a run
// or the store was killed mid-upload) that are older than staleStaging or
// that are for one of the keys this run is about to stage (ours: the job
// lock means the run that began them is dead). A failure is logged: it
// does not stop the run.
func (n *Node) cleanStaging(ctx context.Context, bk *storage.Bucket, ours map[string]bool) {
	cutoff := n.now().Add(-staleStaging)
	var removed []string
	err := bk.List(ctx, storage.StagingDir, func(rel string, a storage.Attrs) error {
		if ours[rel] || a.ModTime.IsZero() || a.ModTime.After(cutoff) {
			return nil
		}
		if err := bk.Delete(ctx, rel); err != nil {
			return err
		}
		removed = append(removed, bk.URL(rel))
		return nil
	})
	if len(removed) > 0 {
		n.Logger.Warn("removed staged objects older than a day, left by runs that never anchored", "objects", len(removed), "keys", strings.Join(removed, " "))
	}
	if err != nil {
		n.Logger.Error("could not clean old staged objects", "err", err)
	}
	aborted, err := bk.AbortUploads(ctx, storage.StagingDir, func(rel string, began time.Time) bool {
		return ours[rel] || (!began.IsZero() && began.Before(cutoff))
	})
	if len(aborted) > 0 {
		n.Logger.Warn("aborted unfinished uploads left by interrupted runs", "uploads", len(aborted), "keys", strings.Join(aborted, " "))
	}
	if err != nil {
		n.Logger.Error("could not abort unfinished uploads", "err", err)
	}
}

// publishToBucket makes the job's anchored, staged objects visible under
// their final keys, then records the batches and moves the watermark.
func (n *Node) publishToBucket(ctx context.Context, w *jobWork) error {
	bk, err := n.Bucket(ctx)
	if err != nil {
		return fmt.Errorf("pipeline: publish: %w", err)
	}
	var done, indexed []LocalBatch
	var staged []string
	for _, b := range w.batches {
		m := b.anchor.Manifest
		day := manifestDay(m)
		rowsKey := storage.RowsKey(b.schema.ID(), day, b.id)
		if err := placeObject(ctx, bk, storage.StagingKey(b.id, anchor.FileRows), rowsKey, hex.EncodeToString(b.rows.SHA256), m.ParquetSHA256, m.ParquetSize); err != nil {
			return err
		}
		staged = append(staged, storage.StagingKey(b.id, anchor.FileRows))
		lb := LocalBatch{BatchID: b.id, Job: w.job.Name, Schema: b.schema.ID(), Status: BatchPublished, ParquetPath: bk.URL(rowsKey)}
		sc := Sidecar{BatchID: b.id, Job: w.job.Name, BlockHeight: b.anchor.Height, BlockIndex: b.anchor.Index, Rows: rowsKey, Manifest: m}
		if b.rejects != nil {
			rejectsKey := storage.RejectsKey(day, b.id)
			if err := placeObject(ctx, bk, storage.StagingKey(b.id, anchor.FileRejects), rejectsKey, hex.EncodeToString(b.rejects.SHA256), m.RejectsSHA256, m.RejectsSize); err != nil {
				return err
			}
			staged = append(staged, storage.StagingKey(b.id, anchor.FileRejects))
			lb.RejectsPath, sc.Rejects = bk.URL(rejectsKey), rejectsKey
		}
		n.crash("copied")
		data, err := json.MarshalIndent(sc, "", "  ")
		if err != nil {
			return fmt.Errorf("pipeline: publish batch %s: sidecar: %w", b.id, err)
		}
		if err := bk.WriteAll(ctx, storage.SidecarKey(b.schema.ID(), day, b.id), append(data, '\n')); err != nil {
			return fmt.Errorf("pipeline: publish batch %s: %w", b.id, err)
		}
		b.parquetPath, b.rejectsPath = lb.ParquetPath, lb.RejectsPath
		done = append(done, lb)
		lb.ParquetPath = b.rows.Path // the patient index reads the local copy
		indexed = append(indexed, lb)
	}
	n.crash("published")
	for _, k := range staged {
		if err := bk.Delete(ctx, k); err != nil {
			return fmt.Errorf("pipeline: publish: %w", err)
		}
	}
	n.crash("unstaged")
	// Indexed before recorded as published, as for a folder (publish.go):
	// a batch listed as published is one whose patients a fetch finds.
	n.indexPublished(ctx, indexed)
	if err := n.State.Complete(ctx, w.job.Name, w.window, done); err != nil {
		return err
	}
	n.crash("recorded")
	for _, b := range w.batches {
		n.removeTemp(b.rows.Path)
		if b.rejects != nil {
			n.removeTemp(b.rejects.Path)
		}
	}
	return nil
}

// placeObject makes final visible from staged: a copy inside the store
// that never overwrites (storage.Bucket.Copy: a conditional If-None-Match
// copy on S3). written is the digest of the staged file, computed as it
// was written; want and size are the anchored digest and size. A final
// object already there (a run that crashed after this step, or a store
// that refused the conditional copy) is success when it holds the
// anchored bytes, and an error naming its key otherwise; it is never
// replaced.
func placeObject(ctx context.Context, bk *storage.Bucket, staged, final, written, want string, size int64) error {
	// The Stat first keeps the existing object safe on a store that would
	// ignore the condition; the condition closes the gap between the
	// Stat and the copy.
	if _, ok, err := bk.Stat(ctx, final); err != nil {
		return fmt.Errorf("pipeline: publish: %w", err)
	} else if ok {
		return checkPlaced(ctx, bk, final, want)
	}
	if written != want {
		return fmt.Errorf("pipeline: %s: re-written file has sha256 %.12s…, anchored %.12s…", bk.URL(staged), written, want)
	}
	if err := bk.Copy(ctx, final, staged); errors.Is(err, storage.ErrExists) {
		return checkPlaced(ctx, bk, final, want)
	} else if err != nil {
		return fmt.Errorf("pipeline: publish: %w", err)
	}
	a, ok, err := bk.Stat(ctx, final)
	if err != nil {
		return fmt.Errorf("pipeline: publish: %w", err)
	}
	if !ok || a.Size != size {
		return fmt.Errorf("pipeline: publish: %s: the copy has %d bytes, anchored %d", bk.URL(final), a.Size, size)
	}
	return nil
}

// checkPlaced accepts an object already at final only when it holds the
// anchored bytes (digest want).
func checkPlaced(ctx context.Context, bk *storage.Bucket, final, want string) error {
	got, _, err := bk.SHA256(ctx, final)
	if err != nil {
		return fmt.Errorf("pipeline: publish: %w", err)
	}
	if got != want {
		return fmt.Errorf("pipeline: %s exists but differs from its anchor (sha256 %.12s…, anchored %.12s…); it was left as it is: move it aside and re-run", bk.URL(final), got, want)
	}
	return nil
}

// manifestDay is the UTC day (YYYY-MM-DD) the manifest was created: the
// date partition of its batch's objects.
func manifestDay(m anchor.Manifest) string {
	if t, err := time.Parse(time.RFC3339, m.CreatedAt); err == nil {
		return t.UTC().Format(time.DateOnly)
	}
	return "unknown"
}

// removeTemp deletes a published batch's temporary file; one left behind
// is removed by the job's next run (cleanTemp).
func (n *Node) removeTemp(path string) {
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		n.Logger.Warn("could not remove a temporary file", "file", path, "err", err)
	}
}

// Sidecar is the small JSON object published beside each batch's rows
// file in an object store (storage.SidecarKey), so that a data-lake reader
// can join files to their anchors without the chain store.
type Sidecar struct {
	BatchID     string          `json:"batch_id"`
	Job         string          `json:"job"`
	BlockHeight int64           `json:"block_height"`
	BlockIndex  int             `json:"block_index"` // the manifest's position in its block
	Rows        string          `json:"rows_key"`    // relative to the prefix
	Rejects     string          `json:"rejects_key,omitempty"`
	Manifest    anchor.Manifest `json:"manifest"`
}
