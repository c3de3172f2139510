// Package patientindex keeps a node's patient index: from a patient_id
// to the (batch, row) of every published record naming it, in a small
// SQLite file beside the state DB. The pipeline fills it when it
// publishes a batch; `healthanchor index rebuild` rebuilds it from the
// batch files. Readers (exchange, audit) find one patient's records
// without scanning every batch file. The index holds patient ids, so its
// file is as private as the batch files.
package patientindex

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/healthanchor/healthanchor/anchor"
	"github.com/healthanchor/healthanchor/anchor/batchfile"
)

// FileName is the index's file, in the state DB's folder.
const FileName = "patients.db"

// PathBeside returns the index path for the state DB at statePath.
func PathBeside(statePath string) string {
	return filepath.Join(filepath.Dir(statePath), FileName)
}

const schema = `CREATE TABLE IF NOT EXISTS patient_rows (
	patient_id TEXT NOT NULL,
	batch_id   TEXT NOT NULL,
	row        INTEGER NOT NULL,
	PRIMARY KEY (patient_id, batch_id, row)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS indexed_batches (
	batch_id TEXT PRIMARY KEY,
	rows     INTEGER NOT NULL
);`

// Index is an open patient index.
type Index struct {
	db *sql.DB
}

// Location is where one record naming a patient sits.
type Location struct {
	BatchID string
	Row     int64
}

// Open opens (creating when absent) the index at path.
func Open(path string) (*Index, error) {
	db, err := anchor.OpenDB(path)
	if err != nil {
		return nil, fmt.Errorf("patientindex: open: %w", err)
	}
	if _, err := db.Exec(schema); err != nil {
		db.Close()
		return nil, fmt.Errorf("patientindex: create %s: %w", path, err)
	}
	return &Index{db: db}, nil
}

// Close closes the index.
func (x *Index) Close() error { return x.db.Close() }

// Lookup returns every indexed record of patient, by batch then row.
// A patient with no records gives none and no error.
func (x *Index) Lookup(ctx context.Context, patient string) ([]Location, error) {
	rows, err := x.db.QueryContext(ctx, `SELECT batch_id, row FROM patient_rows WHERE patient_id = ? ORDER BY batch_id, row`, patient)
	if err != nil {
		return nil, fmt.Errorf("patientindex: lookup: %w", err)
	}
	defer rows.Close()
	var out []Location
	for rows.Next() {
		var l Location
		if err := rows.Scan(&l.BatchID, &l.Row); err != nil {
			return nil, fmt.Errorf("patientindex: lookup: %w", err)
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// Indexed says whether batch is in the index.
func (x *Index) Indexed(ctx context.Context, batch string) (bool, error) {
	var n int
	if err := x.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM indexed_batches WHERE batch_id = ?`, batch).Scan(&n); err != nil {
		return false, fmt.Errorf("patientindex: %w", err)
	}
	return n > 0, nil
}

// Add indexes the batch file at path as batch: every row with a
// patient_id. A batch already indexed is replaced, so adding is
// idempotent and rebuilding is adding every batch again. It returns the
// number of rows indexed. Only the patient_id column is decoded; each
// record batch's rows go in sorted by patient, insertChunk at a time.
func (x *Index) Add(ctx context.Context, batch, path string) (int64, error) {
	return x.add(ctx, batch, func(fn batchfile.ColumnFunc) error {
		_, err := batchfile.ReadTextColumn(ctx, path, "patient_id", fn)
		return err
	})
}

// AddFrom is Add for a batch file already open as src (an object read by
// ranges: only its footer and patient_id chunks are fetched), named name
// in errors.
func (x *Index) AddFrom(ctx context.Context, batch, name string, src batchfile.Source) (int64, error) {
	return x.add(ctx, batch, func(fn batchfile.ColumnFunc) error {
		_, err := batchfile.ReadTextColumnFrom(ctx, name, src, "patient_id", fn)
		return err
	})
}

// add indexes batch from the patient_id column that read decodes.
func (x *Index) add(ctx context.Context, batch string, read func(batchfile.ColumnFunc) error) (int64, error) {
	tx, err := x.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("patientindex: add %s: %w", batch, err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `DELETE FROM patient_rows WHERE batch_id = ?`, batch); err != nil {
		return 0, fmt.Errorf("patientindex: add %s: %w", batch, err)
	}
	ins := &inserter{tx: tx, batch: batch}
	defer ins.close()
	err = read(func(first int64, ids []string) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		return ins.add(first, ids)
	})
	if err != nil {
		return 0, fmt.Errorf("patientindex: add %s: %w", batch, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO indexed_batches (batch_id, rows) VALUES (?, ?)`, batch, ins.n); err != nil {
		return 0, fmt.Errorf("patientindex: add %s: %w", batch, err)
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("patientindex: add %s: %w", batch, err)
	}
	return ins.n, nil
}

const patientKey = `"patient_id":`

// PatientID returns the patient_id of a canonical record, false when it
// has none (or null).
func PatientID(canonical []byte) (string, bool) {
	i := strings.Index(string(canonical), patientKey)
	if i < 0 {
		return "", false
	}
	dec := json.NewDecoder(strings.NewReader(string(canonical[i+len(patientKey):])))
	var id *string
	if err := dec.Decode(&id); err != nil || id == nil || *id == "" {
		return "", false
	}
	return *id, true
}

// Forget removes every record of patient from the index, as after the
// patient's erasure, and returns how many it removed.
func (x *Index) Forget(ctx context.Context, patient string) (int64, error) {
	res, err := x.db.ExecContext(ctx, `DELETE FROM patient_rows WHERE patient_id = ?`, patient)
	if err != nil {
		return 0, fmt.Errorf("patientindex: forget: %w", err)
	}
	return res.RowsAffected()
}

// Remove forgets batch: its rows and its place among the indexed
// batches. Removing a batch not in the index does nothing.
func (x *Index) Remove(ctx context.Context, batch string) error {
	tx, err := x.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("patientindex: remove %s: %w", batch, err)
	}
	defer tx.Rollback()
	for _, q := range []string{`DELETE FROM patient_rows WHERE batch_id = ?`, `DELETE FROM indexed_batches WHERE batch_id = ?`} {
		if _, err := tx.ExecContext(ctx, q, batch); err != nil {
			return fmt.Errorf("patientindex: remove %s: %w", batch, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("patientindex: remove %s: %w", batch, err)
	}
	return nil
}
