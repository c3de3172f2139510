package main

import (
	"context"
	"math"

	"github.com/healthanchor/healthanchor/anchor"
	"github.com/healthanchor/healthanchor/anchor/replication"
	"github.com/healthanchor/healthanchor/audit"
	"github.com/healthanchor/healthanchor/pipeline"
)

// auditSources wires the node's stores into what the audit package reads.
func auditSources(n *pipeline.Node) audit.Sources {
	src := audit.Sources{Chain: n.Chain, History: stateHistory{n.State}, Open: n.OpenPublished, Verify: nodeVerifier{n}}
	if c := n.Config.Cluster; c != nil {
		src.Replica = storedReplica{cfg: *c, dir: n.Config.Dir()}
	}
	return src
}

// nodeVerifier re-checks files for the audit as the chain does, and an
// object in the node's bucket as `verify batch URL` does.
type nodeVerifier struct{ n *pipeline.Node }

func (v nodeVerifier) Verify(ctx context.Context) (anchor.ChainReport, error) {
	return v.n.Chain.Verify(ctx)
}

func (v nodeVerifier) VerifyBatch(ctx context.Context, path string) (anchor.BatchReport, error) {
	if !pipeline.IsObjectURL(path) {
		return v.n.Chain.VerifyBatch(ctx, path)
	}
	return v.n.VerifyObject(ctx, path)
}

// stateHistory adapts the pipeline's state DB to audit.History.
type stateHistory struct{ s *pipeline.State }

func (h stateHistory) Runs(ctx context.Context) ([]audit.Run, error) {
	runs, err := h.s.Runs(ctx, "", math.MaxInt32)
	if err != nil {
		return nil, err
	}
	out := make([]audit.Run, len(runs))
	for i, r := range runs {
		out[i] = audit.Run{ID: r.ID, Job: r.Job, StartedAt: r.StartedAt, EndedAt: r.EndedAt, Status: r.Status,
			RowsRead: r.RowsRead, RowsWritten: r.RowsWritten, RowsRejected: r.RowsRejected, BatchIDs: r.BatchIDs, Error: r.Error}
	}
	return out, nil
}

func (h stateHistory) Published(ctx context.Context) (map[string]audit.LocalFiles, error) {
	local, err := h.s.LocalBatches(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string]audit.LocalFiles{}
	for id, b := range local {
		if b.Status == pipeline.BatchPublished {
			out[id] = audit.LocalFiles{ParquetPath: b.ParquetPath, RejectsPath: b.RejectsPath}
		}
	}
	return out, nil
}

// storedReplica reads checkpoints and fork evidence from the node's
// replication store.
type storedReplica struct {
	cfg replication.Config
	dir string
}

func (r storedReplica) LatestCheckpoint(ctx context.Context) (string, error) {
	return replication.StoredCheckpoint(r.cfg, r.dir)
}

func (r storedReplica) Forks(ctx context.Context) ([]replication.Fork, error) {
	return replication.StoredForks(ctx, r.cfg, r.dir)
}
