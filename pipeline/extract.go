package pipeline

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/healthanchor/healthanchor/anchor"
	"github.com/healthanchor/healthanchor/anchor/batchfile"
	"github.com/healthanchor/healthanchor/connectors"
	"github.com/healthanchor/healthanchor/internal/fsutil"
	"github.com/healthanchor/healthanchor/schemas"
)

// jobWork is one job's window on its way through a run.
type jobWork struct {
	job      JobConfig
	runID    int64
	window   Window
	source   string
	batches  []*batchWork // the connector's primary schema first; it carries the rejects
	read     int64
	written  int64
	rejected int64
	progress *connectors.Progress // input bytes, fed by the connector
	conn     connectors.Connector // told when the window commits, if it is a connectors.Committer
	err      error
	// legacyIDs: the window is on the chain under legacy batch ids
	// (see anchoredAsLegacy).
	legacyIDs bool
}

// batchWork is one batch file (and, for the primary batch, its rejects file).
type batchWork struct {
	id      string
	schema  *schemas.Schema
	rows    batchfile.Result
	rejects *batchfile.Result // nil when the window had no rejects (or not the primary batch)
	// staged: the files are already at their staging keys in the object
	// store (streamed as they were written, stage_stream.go)
	rowsStaged, rejectsStaged bool
	anchor                    anchor.Anchored // once on the chain
	// paths once published
	parquetPath, rejectsPath string
}

func (b *batchWork) rejectCount() int64 {
	if b.rejects == nil {
		return 0
	}
	return b.rejects.Rows
}

func (n *Node) tmpDir() string { return filepath.Join(n.Config.Path(n.Config.OutputDir), ".tmp") }

// cleanTemp removes the job's leftover temporary files from a crashed run.
func (n *Node) cleanTemp(job string) error {
	matches, _ := filepath.Glob(filepath.Join(n.tmpDir(), job+".*.tmp"))
	for _, m := range matches {
		if err := os.Remove(m); err != nil {
			return fmt.Errorf("pipeline: clean %s: %w", m, err)
		}
		n.Logger.Info("removed leftover temporary file", "job", job, "file", m)
	}
	return nil
}

// plan picks the job's window: the pending one a crashed run left, or a
// new one from the connector.
func (n *Node) plan(ctx context.Context, conn connectors.Connector, job string, backfill *Window) (Window, bool, error) {
	if backfill != nil {
		return *backfill, true, nil
	}
	if w, ok, err := n.State.Pending(ctx, job); err != nil || ok {
		if ok {
			n.Logger.Info("resuming the window an interrupted run left", "job", job)
		}
		return w, ok, err
	}
	from, err := n.State.Watermark(ctx, job)
	if err != nil {
		return Window{}, false, err
	}
	to, err := conn.Plan(ctx, from)
	if err != nil {
		return Window{}, false, fmt.Errorf("plan: %w", err)
	}
	if string(to) == string(from) {
		return Window{}, false, nil
	}
	return Window{From: from, To: to}, true, nil
}

// extract reads the window into temporary batch files.
func (n *Node) extract(ctx context.Context, conn connectors.Connector, w *jobWork) error {
	if err := fsutil.MkdirAll(n.tmpDir(), n.Config.DirPerm()); err != nil {
		return fmt.Errorf("output dir: %w", err)
	}
	primary := conn.Schemas()[0]
	var parts []*part // in the order they were opened; the primary schema's first part first
	current := map[*schemas.Schema]*part{}
	var rejects *batchOut
	abort := func() {
		for _, p := range parts {
			if p.wr != nil {
				p.wr.Abort()
			} else if p.res.Path != "" {
				os.Remove(p.res.Path)
			}
		}
		if rejects != nil {
			rejects.Abort()
		}
	}
	open := func(s *schemas.Schema, suffix, id, kind string) (*batchOut, error) {
		path := filepath.Join(n.tmpDir(), w.job.Name+"."+id+suffix+".tmp")
		return n.createBatch(ctx, id, kind, func(opt batchfile.Options) (*batchfile.Writer, error) {
			return batchfile.Create(path, s, id, n.saltKey, opt)
		}, batchfile.Options{BatchRows: w.job.BatchRows, Mode: n.Config.FilePerm()})
	}
	writerFor := func(s *schemas.Schema) (*batchOut, error) {
		p, ok := current[s]
		if ok && (w.job.MaxBatchRows == 0 || p.wr.Rows() < int64(w.job.MaxBatchRows)) {
			return p.wr, nil
		}
		next := &part{schema: s}
		if ok {
			// The part is full: close it and open the schema's next one.
			res, staged, err := p.wr.Close()
			p.wr = nil
			if err != nil {
				return nil, err
			}
			p.res, p.staged = res, staged
			next.index = p.index + 1
			n.crash("part-closed")
		}
		next.id = n.batchID(w, partName(s, next.index))
		wr, err := open(s, ".parquet", next.id, anchor.FileRows)
		if err != nil {
			return nil, err
		}
		next.wr = wr
		current[s] = next
		parts = append(parts, next)
		return wr, nil
	}
	if _, err := writerFor(primary); err != nil {
		return err
	}
	crashed := false
	emit := func(r connectors.Record) error {
		w.read++
		if !crashed {
			crashed = true
			n.crash("reading")
		}
		if r.Reject == nil {
			if err := controlChars(w.job.ControlChars, r); err != nil {
				raw, _ := json.Marshal(r.Row)
				r = connectors.Record{SourceRef: r.SourceRef, Reject: &connectors.Reject{Target: r.Schema.ID(), Reason: err.Error(), Raw: raw}}
			} else if err := r.Schema.Check(r.Row); err != nil {
				raw, _ := json.Marshal(r.Row)
				r = connectors.Record{SourceRef: r.SourceRef, Reject: &connectors.Reject{Target: r.Schema.ID(), Reason: err.Error(), Raw: raw}}
			}
		}
		if r.Reject != nil {
			if rejects == nil {
				var err error
				if rejects, err = open(schemas.Reject, ".rejects.parquet", parts[0].id, anchor.FileRejects); err != nil {
					return err
				}
			}
			w.rejected++
			return rejects.Append(rejectRow(w.source, r))
		}
		wr, err := writerFor(r.Schema)
		if err != nil {
			return err
		}
		w.written++
		if w.written%10000 == 0 {
			n.report(w, false)
		}
		return wr.Append(r.Row)
	}
	if err := conn.Read(ctx, w.window.From, w.window.To, emit); err != nil {
		abort()
		return fmt.Errorf("read: %w", err)
	}
	n.report(w, true)
	for _, p := range parts {
		if p.wr != nil {
			res, staged, err := p.wr.Close() // removes its file on error
			p.wr = nil
			if err != nil {
				abort()
				return err
			}
			p.res, p.staged = res, staged
		}
		w.batches = append(w.batches, &batchWork{id: p.id, schema: p.schema, rows: p.res, rowsStaged: p.staged})
	}
	if rejects != nil {
		res, staged, err := rejects.Close()
		rejects = nil
		if err != nil {
			abort()
			return err
		}
		w.batches[0].rejects, w.batches[0].rejectsStaged = &res, staged
	}
	for _, b := range w.batches {
		if err := n.State.SetBatch(ctx, LocalBatch{BatchID: b.id, Job: w.job.Name, Schema: b.schema.ID(), Status: BatchExtracted}); err != nil {
			return err
		}
	}
	return nil
}

func rejectRow(source string, r connectors.Record) schemas.Row {
	row := connectors.NewRow(schemas.Reject, source, r.SourceRef)
	row[schemas.Reject.Index("target_schema")] = schemas.OptText(r.Reject.Target)
	row[schemas.Reject.Index("reason")] = schemas.TextValue(strings.ToValidUTF8(r.Reject.Reason, "\uFFFD"))
	row[schemas.Reject.Index("raw")] = schemas.TextValue(string(r.Reject.Raw))
	return row
}

// part is one batch file of a schema within a window; a window whose rows
// exceed the job's max_batch_rows is split into several parts.
type part struct {
	schema *schemas.Schema
	index  int
	id     string
	wr     *batchOut // nil once closed
	res    batchfile.Result
	staged bool // res is at its staging key
}

// partName is what a part's batch id is derived from: the schema id for
// the first part, "schema#k" for the k-th further one.
func partName(s *schemas.Schema, index int) string {
	if index == 0 {
		return s.ID()
	}
	return fmt.Sprintf("%s#%d", s.ID(), index)
}

// report tells the progress callback, if any, how far the job's read is.
func (n *Node) report(w *jobWork, final bool) {
	if n.Progress != nil {
		done, total := w.progress.Bytes()
		n.Progress(ProgressReport{Job: w.job.Name, Rows: w.read, BytesDone: done, BytesTotal: total, Final: final})
	}
}
