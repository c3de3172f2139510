package pipeline

import (
	"context"
	"fmt"
	"time"

	"github.com/healthanchor/healthanchor/pipeline/patientindex"
)

// IndexPath is the node's patient index, beside its state DB.
func (n *Node) IndexPath() string {
	return patientindex.PathBeside(n.Config.Path(n.Config.State))
}

// openIndex opens the patient index, logging an upgrade of its format.
func (n *Node) openIndex() (*patientindex.Index, error) {
	x, err := patientindex.Open(n.IndexPath())
	if err != nil {
		return nil, err
	}
	if x.Upgraded >= 0 {
		n.Logger.Info("patient index upgraded to the current format", "path", n.IndexPath(), "rows", x.Upgraded)
	}
	return x, nil
}

// openIndexCurrent opens the patient index and first indexes every
// published batch it lacks (one a crash or a failed update left out), so
// that a lookup misses nothing.
func (n *Node) openIndexCurrent(ctx context.Context) (*patientindex.Index, error) {
	x, err := n.openIndex()
	if err != nil {
		return nil, err
	}
	local, err := n.State.LocalBatches(ctx)
	if err != nil {
		x.Close()
		return nil, err
	}
	have, err := x.Batches(ctx)
	if err != nil {
		x.Close()
		return nil, err
	}
	for _, id := range publishedIDs(local) {
		if have[id] {
			continue
		}
		if _, err := n.addToIndex(ctx, x, id, local[id].ParquetPath); err != nil {
			x.Close()
			return nil, fmt.Errorf("pipeline: patient index: %w", err)
		}
		n.Logger.Warn("patient index lacked a published batch; indexed it", "batch", id)
	}
	return x, nil
}

// indexPublished adds just-published batches to the patient index. A
// failure does not undo the publication (the batch is anchored and its
// files are in place): it is logged with what to run, and the next
// lookup indexes the batch (openIndexCurrent).
func (n *Node) indexPublished(ctx context.Context, done []LocalBatch) {
	start := time.Now()
	rows, err := n.indexBatches(ctx, done)
	if err != nil {
		n.Logger.Error("patient index not updated: run `healthanchor index rebuild`", "err", err)
		return
	}
	n.Logger.Info("patient index updated", "batches", len(done), "rows", rows, "seconds", time.Since(start).Seconds())
}

func (n *Node) indexBatches(ctx context.Context, batches []LocalBatch) (int64, error) {
	x, err := n.openIndex()
	if err != nil {
		return 0, err
	}
	defer x.Close()
	var rows int64
	for _, b := range batches {
		k, err := n.addToIndex(ctx, x, b.BatchID, b.ParquetPath)
		if err != nil {
			return rows, err
		}
		rows += k
	}
	return rows, nil
}

// IndexReport says what RebuildIndex did.
type IndexReport struct {
	Batches int           `json:"batches"`
	Rows    int64         `json:"rows"`
	Took    time.Duration `json:"-"`
}

// RebuildIndex empties the patient index and indexes again every batch
// this node published, from its batch files.
func (n *Node) RebuildIndex(ctx context.Context) (IndexReport, error) {
	start := time.Now()
	local, err := n.State.LocalBatches(ctx)
	if err != nil {
		return IndexReport{}, err
	}
	ids := publishedIDs(local)
	x, err := n.openIndex()
	if err != nil {
		return IndexReport{}, err
	}
	defer x.Close()
	if err := x.Reset(ctx); err != nil {
		return IndexReport{}, fmt.Errorf("pipeline: index rebuild: %w", err)
	}
	if size, err := x.PageSize(ctx); err == nil && size != patientindex.PageSize {
		n.Logger.Warn("the patient index keeps its older page size: another process (a serve?) has it open; stop it and rebuild again for faster indexing",
			"path", n.IndexPath(), "page_size", size, "preferred", patientindex.PageSize)
	}
	var rep IndexReport
	for _, id := range ids {
		k, err := n.addToIndex(ctx, x, id, local[id].ParquetPath)
		if err != nil {
			return rep, fmt.Errorf("pipeline: index rebuild: %w", err)
		}
		rep.Batches++
		rep.Rows += k
	}
	rep.Took = time.Since(start)
	return rep, nil
}

// addToIndex indexes the published rows file at path (OpenPublished) as
// batch id.
func (n *Node) addToIndex(ctx context.Context, x *patientindex.Index, id, path string) (int64, error) {
	f, err := n.OpenPublished(ctx, path)
	if err != nil {
		return 0, fmt.Errorf("patientindex: add %s: %w", id, err)
	}
	defer f.Close()
	return x.AddFrom(ctx, id, path, f)
}
