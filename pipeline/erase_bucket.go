package pipeline

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"path"
	"path/filepath"
	"strings"

	"github.com/healthanchor/healthanchor/anchor"
	"github.com/healthanchor/healthanchor/anchor/batchfile"
	"github.com/healthanchor/healthanchor/internal/fsutil"
	"github.com/healthanchor/healthanchor/lifecycle"
	"github.com/healthanchor/healthanchor/storage"
)

// bucketFiles is the node's bucket as erasure's file store
// (lifecycle.FileStore): a rewrite is written into output_dir/.tmp,
// uploaded under a staging key, copied over the published object inside
// the store, and the batch's sidecar then records the erased rows. The
// erasure entry is anchored before any of this, so a kill at any point
// leaves the old object or the new one, and a re-run finishes the job.
type bucketFiles struct{ n *Node }

// Holds says whether path is an object's URL.
func (bucketFiles) Holds(path string) bool { return isObjectURL(path) }

// Open opens the published object at url.
func (s bucketFiles) Open(ctx context.Context, url string) (batchfile.File, error) {
	return s.n.OpenPublished(ctx, url)
}

// TempPath is the local file the rewrite of the object at url goes to.
func (s bucketFiles) TempPath(url string) string {
	name := strings.NewReplacer("/", "_", ":", "_").Replace(strings.TrimPrefix(url, "s3://"))
	return filepath.Join(s.n.tmpDir(), "erase."+name+lifecycle.TempSuffix)
}

// eraseStagingKey is where the rewrite of a batch's kind file waits
// before it replaces the published object.
func eraseStagingKey(batchID, kind string) string {
	return storage.StagingDir + batchID + "." + kind + ".erased.parquet.part"
}

// Replace publishes the rewrite tmp over the object of t, then records
// erased in the batch's sidecar.
func (s bucketFiles) Replace(ctx context.Context, t lifecycle.Target, tmp string, erased int64) error {
	bk, rel, err := s.n.objectOf(ctx, t.Path)
	if err != nil {
		return err
	}
	if tmp != "" {
		staging := eraseStagingKey(t.BatchID, t.File)
		if err := bk.Upload(ctx, staging, tmp); err != nil {
			return err
		}
		if err := bk.Replace(ctx, rel, staging); err != nil {
			return err
		}
		if err := bk.Delete(ctx, staging); err != nil {
			return err
		}
		s.n.removeTemp(tmp)
	}
	return s.recordErased(ctx, bk, t, erased)
}

// ErasedSidecar is a batch's sidecar (Sidecar) once erasure has rewritten
// its files: how many rows of each are in erased form, so that a
// data-lake reader knows the files no longer hash to the manifest's
// digests (their Merkle roots still match).
type ErasedSidecar struct {
	Sidecar
	ErasedRows    int64 `json:"erased_rows,omitempty"`
	ErasedRejects int64 `json:"erased_rejects,omitempty"`
}

// recordErased writes erased into the sidecar of t's batch, when it does
// not already say so.
func (s bucketFiles) recordErased(ctx context.Context, bk *storage.Bucket, t lifecycle.Target, erased int64) error {
	local, err := s.n.State.LocalBatches(ctx)
	if err != nil {
		return err
	}
	rowsRel, ok := bk.Rel(local[t.BatchID].ParquetPath)
	if !ok {
		return fmt.Errorf("batch %s: rows file %s is not in the configured output %s", t.BatchID, local[t.BatchID].ParquetPath, bk.URL(""))
	}
	key := path.Dir(rowsRel) + "/_" + t.BatchID + ".anchor.json"
	old, err := bk.ReadAll(ctx, key)
	if err != nil {
		return err
	}
	var sc ErasedSidecar
	if err := json.Unmarshal(old, &sc); err != nil {
		return fmt.Errorf("batch %s: sidecar %s: %w", t.BatchID, bk.URL(key), err)
	}
	if t.File == anchor.FileRejects {
		sc.ErasedRejects = erased
	} else {
		sc.ErasedRows = erased
	}
	data, err := json.MarshalIndent(sc, "", "  ")
	if err != nil {
		return fmt.Errorf("batch %s: sidecar: %w", t.BatchID, err)
	}
	data = append(data, '\n')
	if bytes.Equal(data, old) {
		return nil
	}
	return bk.WriteAll(ctx, key, data)
}

// eraseStore is the file store erasure uses: the bucket when the output
// is one (its working folder made ready), nil for a folder.
func (n *Node) eraseStore(ctx context.Context) (lifecycle.FileStore, error) {
	bk, err := n.Bucket(ctx)
	if err != nil || bk == nil {
		return nil, err
	}
	if err := fsutil.MkdirAll(n.tmpDir(), n.Config.DirPerm()); err != nil {
		return nil, fmt.Errorf("pipeline: erase: %w", err)
	}
	return bucketFiles{n}, nil
}
