package pipeline

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/healthanchor/healthanchor/anchor"
)

const stateSchema = `
CREATE TABLE IF NOT EXISTS watermarks (
	job        TEXT PRIMARY KEY,
	watermark  BLOB NOT NULL,
	updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS pending (
	job         TEXT PRIMARY KEY,
	window_from BLOB,
	window_to   BLOB NOT NULL,
	backfill    INTEGER NOT NULL,
	planned_at  TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS runs (
	id            INTEGER PRIMARY KEY,
	job           TEXT NOT NULL,
	started_at    TEXT NOT NULL,
	ended_at      TEXT,
	status        TEXT NOT NULL,
	rows_read     INTEGER NOT NULL DEFAULT 0,
	rows_written  INTEGER NOT NULL DEFAULT 0,
	rows_rejected INTEGER NOT NULL DEFAULT 0,
	batch_ids     TEXT NOT NULL DEFAULT '',
	error         TEXT NOT NULL DEFAULT '',
	window_from   TEXT NOT NULL DEFAULT '',
	window_to     TEXT NOT NULL DEFAULT '',
	backfill      INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS batches (
	batch_id     TEXT PRIMARY KEY,
	job          TEXT NOT NULL,
	schema       TEXT NOT NULL,
	status       TEXT NOT NULL,
	parquet_path TEXT NOT NULL DEFAULT '',
	rejects_path TEXT NOT NULL DEFAULT '',
	updated_at   TEXT NOT NULL
);
`

// Batch life-cycle states recorded in the state DB.
const (
	BatchExtracted = "extracted"
	BatchAnchored  = "anchored"
	BatchPublished = "published"
)

// Run statuses.
const (
	RunRunning = "running"
	RunOK      = "ok"
	RunFailed  = "failed"
	RunNoop    = "nothing-new"
)

// State is the state DB: per-job watermarks, the window a job is working
// on, run history and each batch's life cycle.
type State struct {
	db *sql.DB
	// batchDir is the absolute folder batch files are published in; the
	// DB records their paths relative to it (see batchPaths.go).
	batchDir string
}

// OpenState opens (creating if needed) the state DB at path. batchDir is
// the folder batch files are published in: their paths are stored
// relative to it, so that a deployment copied or moved elsewhere finds
// its own files.
func OpenState(path, batchDir string) (*State, error) {
	db, err := anchor.OpenDB(path)
	if err != nil {
		return nil, fmt.Errorf("pipeline: state: %w", err)
	}
	if _, err := db.Exec(stateSchema + digestsSchema + headsSchema + disclosedSchema); err != nil {
		db.Close()
		return nil, fmt.Errorf("pipeline: state %s: %w", path, err)
	}
	if err := migrateHeads(db); err != nil {
		db.Close()
		return nil, fmt.Errorf("pipeline: state %s: %w", path, err)
	}
	return &State{db: db, batchDir: batchDir}, nil
}

// Close closes the state DB.
func (s *State) Close() error { return s.db.Close() }

// Watermark returns the job's watermark, nil before its first run.
func (s *State) Watermark(ctx context.Context, job string) ([]byte, error) {
	var w []byte
	err := s.db.QueryRowContext(ctx, `SELECT watermark FROM watermarks WHERE job = ?`, job).Scan(&w)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("pipeline: state: watermark of %s: %w", job, err)
	}
	return w, nil
}

// Window is a planned extraction window.
type Window struct {
	From, To []byte
	Backfill bool
}

// Pending returns the window a job planned and has not finished, if any.
func (s *State) Pending(ctx context.Context, job string) (Window, bool, error) {
	var w Window
	var backfill int
	err := s.db.QueryRowContext(ctx, `SELECT window_from, window_to, backfill FROM pending WHERE job = ?`, job).Scan(&w.From, &w.To, &backfill)
	if errors.Is(err, sql.ErrNoRows) {
		return w, false, nil
	}
	if err != nil {
		return w, false, fmt.Errorf("pipeline: state: pending window of %s: %w", job, err)
	}
	w.Backfill = backfill != 0
	return w, true, nil
}

// SetPending records the window a job is about to read, so that a run
// after a crash re-reads exactly that window.
func (s *State) SetPending(ctx context.Context, job string, w Window) error {
	_, err := s.db.ExecContext(ctx, `INSERT OR REPLACE INTO pending (job, window_from, window_to, backfill, planned_at) VALUES (?, ?, ?, ?, ?)`,
		job, w.From, w.To, w.Backfill, now())
	if err != nil {
		return fmt.Errorf("pipeline: state: pending window of %s: %w", job, err)
	}
	return nil
}

// DropPending forgets a job's pending window (it will be planned anew).
func (s *State) DropPending(ctx context.Context, job string) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM pending WHERE job = ?`, job); err != nil {
		return fmt.Errorf("pipeline: state: %w", err)
	}
	return nil
}

// SetBatch records a batch's life-cycle state and local paths.
func (s *State) SetBatch(ctx context.Context, b LocalBatch) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO batches (batch_id, job, schema, status, parquet_path, rejects_path, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (batch_id) DO UPDATE SET status = excluded.status, parquet_path = excluded.parquet_path,
			rejects_path = excluded.rejects_path, updated_at = excluded.updated_at`,
		b.BatchID, b.Job, b.Schema, b.Status, s.storedPath(b.ParquetPath), s.storedPath(b.RejectsPath), now())
	if err != nil {
		return fmt.Errorf("pipeline: state: batch %s: %w", b.BatchID, err)
	}
	return nil
}

// LocalBatch is the state DB's record of a batch this node produced. Its
// paths are absolute when read back (LocalBatches), whatever folder the
// deployment now sits in.
type LocalBatch struct {
	BatchID, Job, Schema, Status string
	ParquetPath, RejectsPath     string
}

// LocalBatches returns every batch this node produced, by batch id.
func (s *State) LocalBatches(ctx context.Context) (map[string]LocalBatch, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT batch_id, job, schema, status, parquet_path, rejects_path FROM batches`)
	if err != nil {
		return nil, fmt.Errorf("pipeline: state: %w", err)
	}
	defer rows.Close()
	out := map[string]LocalBatch{}
	for rows.Next() {
		var b LocalBatch
		if err := rows.Scan(&b.BatchID, &b.Job, &b.Schema, &b.Status, &b.ParquetPath, &b.RejectsPath); err != nil {
			return nil, fmt.Errorf("pipeline: state: %w", err)
		}
		b.ParquetPath, b.RejectsPath = s.resolvePath(b.ParquetPath), s.resolvePath(b.RejectsPath)
		out[b.BatchID] = b
	}
	return out, rows.Err()
}

// Complete marks the job's window done in one transaction: its batches
// published and, unless it is a backfill, its watermark moved and its
// pending window dropped.
func (s *State) Complete(ctx context.Context, job string, w Window, batches []LocalBatch) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("pipeline: state: %w", err)
	}
	defer tx.Rollback()
	for _, b := range batches {
		if _, err := tx.ExecContext(ctx, `UPDATE batches SET status = ?, parquet_path = ?, rejects_path = ?, updated_at = ? WHERE batch_id = ?`,
			BatchPublished, s.storedPath(b.ParquetPath), s.storedPath(b.RejectsPath), now(), b.BatchID); err != nil {
			return fmt.Errorf("pipeline: state: %w", err)
		}
	}
	if !w.Backfill {
		if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO watermarks (job, watermark, updated_at) VALUES (?, ?, ?)`, job, w.To, now()); err != nil {
			return fmt.Errorf("pipeline: state: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM pending WHERE job = ?`, job); err != nil {
			return fmt.Errorf("pipeline: state: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("pipeline: state: %w", err)
	}
	return nil
}

// RunRecord is one line of the run history.
type RunRecord struct {
	ID           int64    `json:"id"`
	Job          string   `json:"job"`
	StartedAt    string   `json:"started_at"`
	EndedAt      string   `json:"ended_at"`
	Status       string   `json:"status"`
	RowsRead     int64    `json:"rows_read"`
	RowsWritten  int64    `json:"rows_written"`
	RowsRejected int64    `json:"rows_rejected"`
	BatchIDs     []string `json:"batch_ids"`
	Error        string   `json:"error"`
	// WindowFrom and WindowTo are the watermarks the run's window starts
	// after and ends at, as the connector wrote them (the values
	// `run --from/--to` take for a backfill).
	WindowFrom string `json:"window_from"`
	WindowTo   string `json:"window_to"`
	Backfill   bool   `json:"backfill"`
}

// StartRun records a run of job over window w as running and returns its id.
func (s *State) StartRun(ctx context.Context, job string, w Window) (int64, error) {
	res, err := s.db.ExecContext(ctx, `INSERT INTO runs (job, started_at, status, window_from, window_to, backfill) VALUES (?, ?, ?, ?, ?, ?)`,
		job, now(), RunRunning, string(w.From), string(w.To), w.Backfill)
	if err != nil {
		return 0, fmt.Errorf("pipeline: state: %w", err)
	}
	return res.LastInsertId()
}

// EndRun records how a run ended.
func (s *State) EndRun(ctx context.Context, r RunRecord) error {
	_, err := s.db.ExecContext(ctx, `UPDATE runs SET ended_at = ?, status = ?, rows_read = ?, rows_written = ?, rows_rejected = ?, batch_ids = ?, error = ? WHERE id = ?`,
		now(), r.Status, r.RowsRead, r.RowsWritten, r.RowsRejected, strings.Join(r.BatchIDs, ","), r.Error, r.ID)
	if err != nil {
		return fmt.Errorf("pipeline: state: %w", err)
	}
	return nil
}

// Runs lists the run history, newest first, optionally for one job.
func (s *State) Runs(ctx context.Context, job string, limit int) ([]RunRecord, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, job, started_at, COALESCE(ended_at, ''), status, rows_read, rows_written, rows_rejected, batch_ids, error,
		window_from, window_to, backfill FROM runs WHERE ? = '' OR job = ? ORDER BY id DESC LIMIT ?`, job, job, limit)
	if err != nil {
		return nil, fmt.Errorf("pipeline: state: %w", err)
	}
	defer rows.Close()
	var out []RunRecord
	for rows.Next() {
		var r RunRecord
		var ids string
		if err := rows.Scan(&r.ID, &r.Job, &r.StartedAt, &r.EndedAt, &r.Status, &r.RowsRead, &r.RowsWritten, &r.RowsRejected, &ids, &r.Error,
			&r.WindowFrom, &r.WindowTo, &r.Backfill); err != nil {
			return nil, fmt.Errorf("pipeline: state: %w", err)
		}
		r.BatchIDs = []string{}
		if ids != "" {
			r.BatchIDs = strings.Split(ids, ",")
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func now() string { return time.Now().UTC().Format(time.RFC3339Nano) }
