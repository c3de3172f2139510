package audit

import (
	"context"
	"net/http"
	"slices"
	"sort"

	"github.com/healthanchor/healthanchor/anchor"
	"github.com/healthanchor/healthanchor/anchor/batchfile"
	"github.com/healthanchor/healthanchor/schemas"
)

// maxBlocks bounds the blocks page to the newest ones.
const maxBlocks = 500

type batchesData struct {
	Job, Schema, Date string
	Jobs, Schemas     []string
	Batches           []BatchLine
}

func (e *Explorer) batches(w http.ResponseWriter, r *http.Request) {
	all, err := e.allBatches(r.Context())
	if err != nil {
		e.fail(w, err)
		return
	}
	q := r.URL.Query()
	d := batchesData{Job: q.Get("job"), Schema: q.Get("schema"), Date: q.Get("date"), Batches: []BatchLine{}}
	for _, b := range all {
		if !slices.Contains(d.Jobs, b.Job) {
			d.Jobs = append(d.Jobs, b.Job)
		}
		if !slices.Contains(d.Schemas, b.Schema) {
			d.Schemas = append(d.Schemas, b.Schema)
		}
		if (d.Job == "" || b.Job == d.Job) && (d.Schema == "" || b.Schema == d.Schema) && (d.Date == "" || Period{From: d.Date, To: d.Date}.Contains(b.CreatedAt)) {
			d.Batches = append(d.Batches, b)
		}
	}
	sort.Strings(d.Jobs)
	sort.Strings(d.Schemas)
	slices.Reverse(d.Batches) // newest first
	e.render(w, http.StatusOK, "batches", "Batches", d)
}

func (e *Explorer) allBatches(ctx context.Context) ([]BatchLine, error) {
	cp, err := latestCheckpoint(ctx, e.src.Chain, e.src.Replica)
	if err != nil {
		return nil, err
	}
	return listBatches(ctx, e.src, cp.LogSize)
}

type batchData struct {
	Batch    BatchLine
	Manifest anchor.Manifest
	Checks   []Check // nil until verify is pressed
	OK       bool
}

func (e *Explorer) findBatch(w http.ResponseWriter, r *http.Request) (batchData, bool) {
	id := r.PathValue("id")
	all, err := e.allBatches(r.Context())
	if err != nil {
		e.fail(w, err)
		return batchData{}, false
	}
	for _, b := range all {
		if b.BatchID == id {
			a, _, err := e.src.Chain.Lookup(r.Context(), id)
			if err != nil {
				e.fail(w, err)
				return batchData{}, false
			}
			return batchData{Batch: b, Manifest: a.Manifest}, true
		}
	}
	e.render(w, http.StatusNotFound, "notfound", "Not found", "batch "+id+" is not on the chain")
	return batchData{}, false
}

func (e *Explorer) batch(w http.ResponseWriter, r *http.Request) {
	if d, ok := e.findBatch(w, r); ok {
		e.render(w, http.StatusOK, "batch", "Batch "+d.Batch.BatchID, d)
	}
}

// verifyBatch re-reads the batch's files held here and shows the result
// on the batch page.
func (e *Explorer) verifyBatch(w http.ResponseWriter, r *http.Request) {
	d, ok := e.findBatch(w, r)
	if !ok {
		return
	}
	d.Checks = []Check{}
	for _, p := range []string{d.Batch.ParquetPath, d.Batch.RejectsPath} {
		if p != "" {
			d.Checks = append(d.Checks, checkFile(r.Context(), e.src.verifier(), p))
		}
	}
	if len(d.Checks) == 0 {
		d.Checks = append(d.Checks, Check{What: "files", Problems: []string{"this node holds no file of this batch (produced by " + d.Batch.Agency + ")"}})
	}
	d.OK = true
	for _, c := range d.Checks {
		d.OK = d.OK && c.OK
	}
	e.logger.Info("explorer verify", "batch", d.Batch.BatchID, "ok", d.OK)
	e.render(w, http.StatusOK, "batch", "Batch "+d.Batch.BatchID, d)
}

type blockLine struct {
	Height             int64
	Time, Proposer     string
	Hash, PrevHash     string
	Manifests, LogSize int64
	LogRoot            string
	Membership         bool
}

func (e *Explorer) blocks(w http.ResponseWriter, r *http.Request) {
	head, err := e.src.Chain.Head(r.Context())
	if err != nil {
		e.fail(w, err)
		return
	}
	var out []blockLine
	for h := head.Height; h >= 0 && h > head.Height-maxBlocks; h-- {
		b, err := e.src.Chain.Block(r.Context(), h)
		if err != nil {
			e.fail(w, err)
			return
		}
		hash, err := b.Hash()
		if err != nil {
			e.fail(w, err)
			return
		}
		out = append(out, blockLine{Height: b.Height, Time: b.Time, Proposer: b.Proposer, Hash: hash, PrevHash: b.PrevHash,
			Manifests: int64(len(b.Manifests)), LogSize: b.LogSize, LogRoot: b.LogRoot, Membership: b.Membership != nil})
	}
	e.render(w, http.StatusOK, "blocks", "Blocks", out)
}

type checkpointsData struct {
	Checkpoint Checkpoint
	Forks      Forks
}

func (e *Explorer) checkpoints(w http.ResponseWriter, r *http.Request) {
	cp, err := latestCheckpoint(r.Context(), e.src.Chain, e.src.Replica)
	if err != nil {
		e.fail(w, err)
		return
	}
	f, err := forks(r.Context(), e.src.Replica)
	if err != nil {
		e.fail(w, err)
		return
	}
	e.render(w, http.StatusOK, "checkpoints", "Checkpoints", checkpointsData{cp, f})
}

func (e *Explorer) runs(w http.ResponseWriter, r *http.Request) {
	runs, err := e.src.History.Runs(r.Context())
	if err != nil {
		e.fail(w, err)
		return
	}
	out := make([]RunLine, len(runs))
	for i, run := range runs {
		out[i] = RunLine{Run: run, Reconciles: run.Reconciles()}
	}
	e.render(w, http.StatusOK, "runs", "Runs", out)
}

// rejectLine is one reject as the page shows it: the redacted reason,
// and the full reason and raw input only when show_values is set.
type rejectLine struct {
	BatchID, Job, SourceRef, TargetSchema string
	Row                                   int64
	Reason                                string
	FullReason, Raw                       string // empty unless show_values
}

type rejectsData struct {
	Batch   string
	Rejects []rejectLine
}

func (e *Explorer) rejects(w http.ResponseWriter, r *http.Request) {
	all, err := e.allBatches(r.Context())
	if err != nil {
		e.fail(w, err)
		return
	}
	d := rejectsData{Batch: r.URL.Query().Get("batch"), Rejects: []rejectLine{}}
	for i := len(all) - 1; i >= 0; i-- {
		b := all[i]
		if b.RejectsPath == "" || (d.Batch != "" && b.BatchID != d.Batch) {
			continue
		}
		err := e.src.readRejects(r.Context(), b.RejectsPath, func(row batchfile.Reject) error {
			l := rejectLine{BatchID: b.BatchID, Job: b.Job, SourceRef: row.SourceRef, TargetSchema: row.TargetSchema,
				Row: row.Row, Reason: schemas.RedactReason(row.SourceRef, row.Reason)}
			if e.cfg.ShowValues {
				l.FullReason = row.Reason
				l.Raw = string(row.Raw)
			}
			d.Rejects = append(d.Rejects, l)
			return nil
		})
		if err != nil {
			e.fail(w, err)
			return
		}
	}
	e.render(w, http.StatusOK, "rejects", "Rejects", d)
}
