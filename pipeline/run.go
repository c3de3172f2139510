package pipeline

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/healthanchor/healthanchor/anchor"
	"github.com/healthanchor/healthanchor/connectors"
)

// JobResult is what one job's run did.
type JobResult struct {
	Job          string        `json:"job"`
	Status       string        `json:"status"` // ok, nothing-new, failed
	RowsRead     int64         `json:"rows_read"`
	RowsWritten  int64         `json:"rows_written"`
	RowsRejected int64         `json:"rows_rejected"`
	Batches      []BatchResult `json:"batches"`
	Error        string        `json:"error,omitempty"`
}

// BatchResult describes one batch a run anchored and published.
type BatchResult struct {
	BatchID     string `json:"batch_id"`
	Schema      string `json:"schema"`
	Rows        int64  `json:"rows"`
	Rejects     int64  `json:"rejects"`
	MerkleRoot  string `json:"merkle_root"`
	BlockHeight int64  `json:"block_height"`
	ParquetPath string `json:"parquet_path"`
	RejectsPath string `json:"rejects_path,omitempty"`
}

// ErrJobFailed is returned by Run when at least one job failed; the
// results say which and why.
var ErrJobFailed = errors.New("a job failed")

// RunOptions select what Run does.
type RunOptions struct {
	Jobs     []string // names; all jobs when empty
	Backfill *Window  // re-extract this window instead of the next one (one job only)
}

// Run runs the selected jobs once: each job plans and extracts its window
// into temporary files, then one block anchors every new manifest of the
// run, then each job publishes its files and moves its watermark. A job
// that fails does not stop the others.
func (n *Node) Run(ctx context.Context, opt RunOptions) ([]JobResult, error) {
	jobs, err := n.selectJobs(opt.Jobs)
	if err != nil {
		return nil, err
	}
	n.warnUnmatched()
	if opt.Backfill != nil && len(jobs) != 1 {
		return nil, fmt.Errorf("pipeline: a backfill names exactly one job")
	}
	// A chain store that lost blocks this node anchored would make the
	// jobs see nothing new, or anchor again over the gap: refuse.
	if err := n.CheckHeld(ctx); err != nil {
		return nil, fmt.Errorf("pipeline: the chain store is not the one this node held (see verify chain): %w", err)
	}
	var locks []*jobLock
	defer func() {
		for _, l := range locks {
			l.release()
		}
	}()
	for _, job := range jobs {
		lock, err := n.lockJob(job.Name)
		if err != nil {
			return nil, err
		}
		locks = append(locks, lock)
		if err := n.closeCrashed(ctx, job.Name); err != nil {
			return nil, err
		}
	}
	// Jobs are independent until the block: extract them in parallel,
	// a few at a time (each already uses a core to write and one to hash).
	results := make([]JobResult, len(jobs))
	prepared := make([]*jobWork, len(jobs))
	sem := make(chan struct{}, parallelJobs)
	var wg sync.WaitGroup
	for i, job := range jobs {
		results[i] = JobResult{Job: job.Name, Batches: []BatchResult{}}
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			w, err := n.prepare(ctx, job, opt.Backfill)
			switch {
			case err != nil:
				results[i].Status, results[i].Error = RunFailed, err.Error()
				n.Logger.Error("job failed", "job", job.Name, "err", err)
			case w == nil:
				results[i].Status = RunNoop
				n.Logger.Info("nothing new", "job", job.Name)
				n.recordRun(ctx, job.Name, RunNoop, nil)
			default:
				prepared[i] = w
			}
		}()
	}
	wg.Wait()
	var works []*jobWork
	for _, w := range prepared {
		if w != nil {
			works = append(works, w)
		}
	}
	n.crash("written")
	err = n.stage(ctx, works) // an object store's staging keys (publish_bucket.go)
	if err == nil {
		err = n.anchorAll(ctx, works)
	}
	if err != nil {
		for _, w := range works {
			w.err = err
		}
	} else {
		n.crash("anchored")
		for _, w := range works {
			if w.err = n.publish(ctx, w); w.err == nil {
				n.committed(ctx, w)
			}
		}
	}
	failed := false
	for i := range results {
		for _, w := range works {
			if w.job.Name == results[i].Job {
				results[i] = n.finish(ctx, w)
			}
		}
		failed = failed || results[i].Status == RunFailed
	}
	if failed {
		return results, ErrJobFailed
	}
	return results, nil
}

func (n *Node) selectJobs(names []string) ([]JobConfig, error) {
	if len(n.Config.Jobs) == 0 {
		return nil, ErrNoJobs
	}
	if len(names) == 0 {
		return n.Config.Jobs, nil
	}
	var jobs []JobConfig
	for _, name := range names {
		j, err := n.Config.Job(name)
		if err != nil {
			return nil, err
		}
		jobs = append(jobs, j)
	}
	return jobs, nil
}

// prepare opens the job's connector, plans its window and extracts it. It
// returns nil when there is nothing new.
func (n *Node) prepare(ctx context.Context, job JobConfig, backfill *Window) (*jobWork, error) {
	if err := n.cleanTemp(job.Name); err != nil {
		return nil, err
	}
	progress := &connectors.Progress{}
	kept, err := n.State.Digests(ctx, job.Name)
	if err != nil {
		return nil, err
	}
	digests := connectors.LoadDigestCache(kept)
	conn, err := connectors.Open(job.Connector, job.Options, connectors.Env{
		Logger: n.Logger.With("job", job.Name), Location: n.Config.Location(), BaseDir: n.Config.Dir(), Progress: progress, Job: job.Name,
		Digests: digests,
	})
	if err != nil {
		err = fmt.Errorf("job %s: %w", job.Name, err)
		n.recordRun(ctx, job.Name, RunFailed, err)
		return nil, err
	}
	window, ok, err := n.plan(ctx, conn, job.Name, backfill)
	if entries := digests.Entries(); err == nil && (len(entries) > 0 || len(kept) > 0) {
		if err := n.State.SetDigests(ctx, job.Name, entries); err != nil {
			return nil, err
		}
	}
	if err != nil || !ok {
		if err != nil {
			err = fmt.Errorf("job %s: %w", job.Name, err)
			n.recordRun(ctx, job.Name, RunFailed, err)
		}
		return nil, err
	}
	if backfill == nil {
		if err := n.State.SetPending(ctx, job.Name, window); err != nil {
			return nil, err
		}
	}
	w := &jobWork{job: job, window: window, source: conn.Source(), progress: progress, conn: conn}
	w.legacyIDs = backfill == nil && n.anchoredAsLegacy(ctx, conn, w)
	if w.runID, err = n.State.StartRun(ctx, job.Name, window); err != nil {
		return nil, err
	}
	start := time.Now()
	if err := n.extract(ctx, conn, w); err != nil {
		// The window may no longer be readable as planned (a file changed
		// under us): plan afresh next time, if nothing of it was anchored.
		// When that cannot be told (a replica that cannot reach its
		// cluster), keep it: a new window would take its records again.
		if backfill == nil {
			anchored, aerr := n.windowAnchored(ctx, conn, w)
			switch {
			case aerr != nil:
				err = fmt.Errorf("%w; the window is kept, since whether a batch of it is anchored cannot be told now: %v", err, aerr)
			case anchored != "":
				err = fmt.Errorf("%w; batch %s of this window is already anchored, so the window is kept: restore its input and re-run", err, anchored)
			default:
				if derr := n.State.DropPending(ctx, job.Name); derr != nil {
					err = errors.Join(err, derr)
				}
			}
		}
		w.err = fmt.Errorf("job %s: %w", job.Name, err)
		n.finish(ctx, w)
		return nil, w.err
	}
	n.Logger.Info("extracted", "job", job.Name, "read", w.read, "written", w.written, "rejected", w.rejected,
		"batches", len(w.batches), "seconds", time.Since(start).Seconds())
	return w, nil
}

// parallelJobs is how many jobs extract at once.
const parallelJobs = 2

// recordRun records a run that ended before it had a window: nothing new,
// or a failure to open or plan the source.
func (n *Node) recordRun(ctx context.Context, job, status string, cause error) {
	id, err := n.State.StartRun(ctx, job, Window{})
	if err == nil {
		rec := RunRecord{ID: id, Status: status, BatchIDs: nil}
		if cause != nil {
			rec.Error = cause.Error()
		}
		err = n.State.EndRun(ctx, rec)
	}
	if err != nil {
		n.Logger.Error("could not record the run", "job", job, "err", err)
	}
}

// anchorAll anchors, in one block, the manifests of every batch of the
// run that is not on the chain yet. A batch already on the chain (a run
// that crashed after anchoring) must have the same root as the re-read.
func (n *Node) anchorAll(ctx context.Context, works []*jobWork) error {
	if len(works) == 0 {
		return nil
	}
	n.anchorMu.Lock()
	defer n.anchorMu.Unlock()
	lock, err := n.lockChain()
	if err != nil {
		return err
	}
	defer lock.release()
	var fresh []anchor.Manifest
	var pending []*batchWork
	seq, err := n.Chain.NextProducerSeq(ctx, n.Config.Agency.ID)
	if err != nil {
		return err
	}
	for _, w := range works {
		for _, b := range w.batches {
			a, ok, err := n.Chain.Lookup(ctx, b.id)
			if err != nil {
				return err
			}
			if ok {
				if a.Manifest.MerkleRoot != hex.EncodeToString(b.rows.Root) {
					return fmt.Errorf("pipeline: batch %s is on the chain with root %.16s…, but re-reading its window gives %.16s…: the source changed",
						b.id, a.Manifest.MerkleRoot, hex.EncodeToString(b.rows.Root))
				}
				b.anchor = a
				continue
			}
			m := n.manifest(w, b, seq)
			seq++
			if err := m.Sign(n.signingKey); err != nil {
				return err
			}
			fresh = append(fresh, m)
			pending = append(pending, b)
		}
	}
	if len(fresh) == 0 {
		return n.recordAnchored(ctx, works)
	}
	block, err := n.Anchorer.Anchor(ctx, fresh)
	if err != nil {
		return fmt.Errorf("pipeline: anchor: %w", err)
	}
	// A replicated leader may pack other agencies' manifests in the same
	// block, so find each of ours by batch id.
	at := map[string]int{}
	for i, m := range block.Manifests {
		at[m.BatchID] = i
	}
	for i, b := range pending {
		idx, ok := at[b.id]
		if !ok {
			return fmt.Errorf("pipeline: block %d does not hold batch %s", block.Height, b.id)
		}
		b.anchor = anchor.Anchored{Manifest: fresh[i], Height: block.Height, Index: idx}
	}
	n.Logger.Info("anchored", "block", block.Height, "manifests", len(fresh))
	return n.recordAnchored(ctx, works)
}

// recordAnchored records in the state DB where each batch of the run
// was anchored, so that a chain store that later loses it is caught.
func (n *Node) recordAnchored(ctx context.Context, works []*jobWork) error {
	var done []AnchoredBatch
	for _, w := range works {
		for _, b := range w.batches {
			lh, err := b.anchor.Manifest.LeafHash()
			if err != nil {
				return err
			}
			done = append(done, AnchoredBatch{BatchID: b.id, Height: b.anchor.Height, LeafHash: hex.EncodeToString(lh)})
		}
	}
	return n.State.SetAnchored(ctx, done)
}

func (n *Node) manifest(w *jobWork, b *batchWork, seq int64) anchor.Manifest {
	m := anchor.Manifest{
		Version: anchor.ManifestVersion, ChainID: n.Chain.ChainID(), BatchID: b.id,
		Agency: n.Config.Agency.ID, ProducerSeq: seq, Job: w.job.Name, Source: w.source,
		WindowFrom: n.watermarkKey.Digest(w.window.From), WindowTo: n.watermarkKey.Digest(w.window.To),
		Backfill: w.window.Backfill, Schema: b.schema.ID(), Fingerprint: b.schema.Fingerprint(),
		Rows: b.rows.Rows, Rejects: b.rejectCount(), MerkleRoot: hex.EncodeToString(b.rows.Root),
		RejectsRoot:   emptyRoot,
		ParquetSHA256: hex.EncodeToString(b.rows.SHA256), ParquetSize: b.rows.Size,
		CreatedAt: n.now().UTC().Format(time.RFC3339),
	}
	if b.rejects != nil {
		m.RejectsRoot = hex.EncodeToString(b.rejects.Root)
		m.RejectsSHA256 = hex.EncodeToString(b.rejects.SHA256)
		m.RejectsSize = b.rejects.Size
	}
	return m
}

// emptyRoot is the Merkle root of no rows: SHA-256 of the empty string.
const emptyRoot = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

// finish records how the job's run ended and returns its result.
func (n *Node) finish(ctx context.Context, w *jobWork) JobResult {
	r := JobResult{Job: w.job.Name, Status: RunOK, RowsRead: w.read, RowsWritten: w.written, RowsRejected: w.rejected, Batches: []BatchResult{}}
	rec := RunRecord{ID: w.runID, Status: RunOK, RowsRead: w.read, RowsWritten: w.written, RowsRejected: w.rejected}
	if w.err != nil {
		r.Status, r.Error = RunFailed, w.err.Error()
		rec.Status, rec.Error = RunFailed, w.err.Error()
		n.Logger.Error("job failed", "job", w.job.Name, "err", w.err)
	} else {
		for _, b := range w.batches {
			r.Batches = append(r.Batches, BatchResult{
				BatchID: b.id, Schema: b.schema.ID(), Rows: b.rows.Rows, Rejects: b.rejectCount(),
				MerkleRoot: hex.EncodeToString(b.rows.Root), BlockHeight: b.anchor.Height,
				ParquetPath: b.parquetPath, RejectsPath: b.rejectsPath,
			})
			rec.BatchIDs = append(rec.BatchIDs, b.id)
		}
	}
	if err := n.State.EndRun(ctx, rec); err != nil {
		n.Logger.Error("could not record the run", "job", w.job.Name, "err", err)
	}
	return r
}

// windowAnchored returns the id of a batch of w's window that is on the
// chain already, or "". A replica first catches up with its cluster
// (syncer), since a run that lost the reply to its submission may have
// anchored a batch this node's chain does not show yet.
func (n *Node) windowAnchored(ctx context.Context, conn connectors.Connector, w *jobWork) (string, error) {
	if s, ok := n.Anchorer.(syncer); ok {
		sctx, cancel := context.WithTimeout(ctx, syncTimeout)
		err := s.Sync(sctx)
		cancel()
		if err != nil {
			return "", fmt.Errorf("pipeline: catching up with the cluster: %w", err)
		}
	}
	for _, s := range conn.Schemas() {
		id := n.batchID(w, s.ID())
		_, ok, err := n.Chain.Lookup(ctx, id)
		if err != nil {
			return "", fmt.Errorf("pipeline: %w", err)
		}
		if ok {
			return id, nil
		}
	}
	return "", nil
}

// syncTimeout bounds how long a failed run waits for its replica to
// catch up before deciding to keep or drop its window.
const syncTimeout = 15 * time.Second
