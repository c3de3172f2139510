package pipeline

import (
	"context"
	"fmt"
	"slices"
	"sort"

	"github.com/healthanchor/healthanchor/anchor"
	"github.com/healthanchor/healthanchor/anchor/batchfile"
	"github.com/healthanchor/healthanchor/lifecycle"
	"github.com/healthanchor/healthanchor/pipeline/patientindex"
)

// ErasureTargets finds every record of patient in this node's published
// batches: the rows the patient index lists (indexing first any published
// batch it lacks, so a stale index misses nothing), and the rejects whose
// raw input names the patient (patientindex.RawNames). Targets come by
// batch id, rows file before rejects file.
func (n *Node) ErasureTargets(ctx context.Context, patient string) ([]lifecycle.Target, error) {
	local, err := n.State.LocalBatches(ctx)
	if err != nil {
		return nil, err
	}
	x, err := n.openIndexCurrent(ctx)
	if err != nil {
		return nil, fmt.Errorf("pipeline: erase: %w", err)
	}
	defer x.Close()
	var out []lifecycle.Target
	ids := publishedIDs(local)
	locs, err := x.Lookup(ctx, patient)
	if err != nil {
		return nil, err
	}
	rows := map[string][]int64{}
	for _, l := range locs {
		rows[l.BatchID] = append(rows[l.BatchID], l.Row)
	}
	for _, id := range ids {
		lb := local[id]
		if r := rows[id]; len(r) > 0 {
			out = append(out, lifecycle.Target{BatchID: id, File: anchor.FileRows, Path: n.publishedPath(lb.ParquetPath), Rows: r})
		}
		if lb.RejectsPath == "" {
			continue
		}
		path := n.publishedPath(lb.RejectsPath)
		var named []int64
		err := n.ReadPublishedRejects(ctx, path, func(rj batchfile.Reject) error {
			if patientindex.RawNames(rj.Raw, patient) {
				named = append(named, rj.Row)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("pipeline: erase: rejects of batch %s: %w", id, err)
		}
		if len(named) > 0 {
			out = append(out, lifecycle.Target{BatchID: id, File: anchor.FileRejects, Path: path, Rows: named})
		}
	}
	return out, nil
}

// Erase erases every record of patient from this node's batch files
// (lifecycle.Eraser.Erase: the erasure entry first, then the rewrites),
// then makes the patient index forget the patient, so a re-run after the
// last step finds nothing to erase. One erasure runs at a time (an
// exclusive lock, ErrLocked when held). crash, when not nil, is called at
// each named step. A dry run only lists the targets.
func (n *Node) Erase(ctx context.Context, patient string, req lifecycle.EraseRequest, crash func(string)) (lifecycle.EraseOutcome, error) {
	if patient == "" {
		return lifecycle.EraseOutcome{}, fmt.Errorf("pipeline: erase: no patient id")
	}
	lock, err := n.lockJob(".erase")
	if err != nil {
		return lifecycle.EraseOutcome{}, err
	}
	defer lock.release()
	targets, err := n.ErasureTargets(ctx, patient)
	if err != nil {
		return lifecycle.EraseOutcome{}, err
	}
	store, err := n.eraseStore(ctx)
	if err != nil {
		return lifecycle.EraseOutcome{}, err
	}
	e := lifecycle.Eraser{
		Chain: n.Chain, Agency: n.Config.Agency.ID, Mode: n.Config.FilePerm(), Logger: n.Logger, Crash: crash, Store: store,
		Anchor: func(ctx context.Context, body anchor.ErasureBody) (anchor.Block, error) {
			_, b, err := n.AnchorEntryExclusive(ctx, anchor.KindErasure, body)
			return b, err
		},
	}
	out, err := e.Erase(ctx, req, targets)
	if err != nil || req.DryRun {
		return out, err
	}
	x, err := n.openIndex()
	if err != nil {
		return out, err
	}
	defer x.Close()
	if _, err := x.Forget(ctx, patient); err != nil {
		return out, err
	}
	return out, nil
}

// publishedIDs lists the ids of the published batches, and of batches in
// any of the also statuses, sorted.
func publishedIDs(local map[string]LocalBatch, also ...string) []string {
	ids := make([]string, 0, len(local))
	for id, lb := range local {
		if lb.Status == BatchPublished || slices.Contains(also, lb.Status) {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	return ids
}
