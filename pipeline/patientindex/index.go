// Package patientindex keeps a node's patient index: from a patient_id
// to the (batch, row) of every published record naming it, in a small
// SQLite file beside the state DB. The pipeline fills it when it
// publishes a batch; `healthanchor index rebuild` rebuilds it from the
// batch files. Readers (exchange, audit) find one patient's records
// without scanning every batch file. The index holds patient ids, so its
// file is as private as the batch files.
//
// The index is a derived cache: everything in it comes from the batch
// files. It is written with synchronous=NORMAL (WAL), so a power loss
// may lose the last batches indexed but never leaves the file
// inconsistent; the pipeline indexes any published batch it finds
// missing (Batches) before it trusts a lookup.
package patientindex

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/healthanchor/healthanchor/anchor"
)

// FileName is the index's file, in the state DB's folder.
const FileName = "patients.db"

// PathBeside returns the index path for the state DB at statePath.
func PathBeside(statePath string) string {
	return filepath.Join(filepath.Dir(statePath), FileName)
}

// Index is an open patient index.
type Index struct {
	db  *sql.DB
	dir string // the index's folder, where long batches spill
	// Upgraded is the number of rows carried over when Open upgraded an
	// index of an older format, -1 when it did not.
	Upgraded int64
}

// Location is where one record naming a patient sits.
type Location struct {
	BatchID string
	Row     int64
}

// Open opens (creating when absent, upgrading when of an older format)
// the index at path.
func Open(path string) (*Index, error) {
	if err := createFile(path); err != nil {
		return nil, fmt.Errorf("patientindex: create: %w", err)
	}
	db, err := anchor.OpenDB(path)
	if err != nil {
		return nil, fmt.Errorf("patientindex: open: %w", err)
	}
	// One connection, so that the pragma below holds for every statement:
	// the index is rebuildable, so a commit need not wait for the disk.
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(`PRAGMA synchronous = NORMAL`); err != nil {
		db.Close()
		return nil, fmt.Errorf("patientindex: open %s: %w", path, err)
	}
	moved, err := migrate(context.Background(), db)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("patientindex: open %s: %w", path, err)
	}
	dir := filepath.Dir(path)
	removeStaleSpills(dir)
	return &Index{db: db, dir: dir, Upgraded: moved}, nil
}

// Close closes the index.
func (x *Index) Close() error { return x.db.Close() }

// Lookup returns every indexed record of patient, by batch then row.
// A patient with no records gives none and no error.
func (x *Index) Lookup(ctx context.Context, patient string) ([]Location, error) {
	rows, err := x.db.QueryContext(ctx, `SELECT b.batch_id, p.pairs FROM patient_buckets p JOIN batches b ON b.batch_no = p.batch_no
		WHERE p.bucket = ?`, bucketOf(patient))
	if err != nil {
		return nil, fmt.Errorf("patientindex: lookup: %w", err)
	}
	defer rows.Close()
	var out []Location
	for rows.Next() {
		var batch string
		var pairs []byte
		if err := rows.Scan(&batch, &pairs); err != nil {
			return nil, fmt.Errorf("patientindex: lookup: %w", err)
		}
		err := decodePairs(pairs, func(id []byte, row int64) {
			if string(id) == patient {
				out = append(out, Location{batch, row})
			}
		})
		if err != nil {
			return nil, fmt.Errorf("patientindex: lookup: batch %s: %w", batch, err)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("patientindex: lookup: %w", err)
	}
	slices.SortFunc(out, func(a, b Location) int {
		return cmp.Or(strings.Compare(a.BatchID, b.BatchID), cmp.Compare(a.Row, b.Row))
	})
	return out, nil
}

// Indexed says whether batch is in the index.
func (x *Index) Indexed(ctx context.Context, batch string) (bool, error) {
	var n int
	if err := x.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM batches WHERE batch_id = ?`, batch).Scan(&n); err != nil {
		return false, fmt.Errorf("patientindex: %w", err)
	}
	return n > 0, nil
}

// Batches returns the ids of every indexed batch.
func (x *Index) Batches(ctx context.Context) (map[string]bool, error) {
	rows, err := x.db.QueryContext(ctx, `SELECT batch_id FROM batches`)
	if err != nil {
		return nil, fmt.Errorf("patientindex: batches: %w", err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("patientindex: batches: %w", err)
		}
		out[id] = true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("patientindex: batches: %w", err)
	}
	return out, nil
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
// patient's erasure, and returns how many it removed: the bucket rows
// holding the patient are rewritten without it.
func (x *Index) Forget(ctx context.Context, patient string) (int64, error) {
	tx, err := x.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("patientindex: forget: %w", err)
	}
	defer tx.Rollback()
	type part struct {
		batch, part int64
		pairs       []byte
	}
	bucket := bucketOf(patient)
	rows, err := tx.QueryContext(ctx, `SELECT batch_no, part, pairs FROM patient_buckets WHERE bucket = ?`, bucket)
	if err != nil {
		return 0, fmt.Errorf("patientindex: forget: %w", err)
	}
	var parts []part
	for rows.Next() {
		var p part
		if err := rows.Scan(&p.batch, &p.part, &p.pairs); err != nil {
			rows.Close()
			return 0, fmt.Errorf("patientindex: forget: %w", err)
		}
		parts = append(parts, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("patientindex: forget: %w", err)
	}
	var removed int64
	for _, p := range parts {
		var kept []byte
		n := int64(0)
		err := decodePairs(p.pairs, func(id []byte, row int64) {
			if string(id) == patient {
				n++
				return
			}
			kept = appendPair(kept, id, row)
		})
		if err != nil {
			return 0, fmt.Errorf("patientindex: forget: %w", err)
		}
		if n == 0 {
			continue
		}
		removed += n
		if len(kept) == 0 {
			_, err = tx.ExecContext(ctx, `DELETE FROM patient_buckets WHERE bucket = ? AND batch_no = ? AND part = ?`, bucket, p.batch, p.part)
		} else {
			_, err = tx.ExecContext(ctx, `UPDATE patient_buckets SET pairs = ? WHERE bucket = ? AND batch_no = ? AND part = ?`, kept, bucket, p.batch, p.part)
		}
		if err != nil {
			return 0, fmt.Errorf("patientindex: forget: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("patientindex: forget: %w", err)
	}
	return removed, nil
}

// Remove forgets batch: its rows and its place among the indexed
// batches. Removing a batch not in the index does nothing.
func (x *Index) Remove(ctx context.Context, batch string) error {
	tx, err := x.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("patientindex: remove %s: %w", batch, err)
	}
	defer tx.Rollback()
	if err := dropBatch(ctx, tx, batch); err != nil {
		return fmt.Errorf("patientindex: remove %s: %w", batch, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("patientindex: remove %s: %w", batch, err)
	}
	return nil
}

// dropBatch deletes batch's rows and number, if it has one. The rows are
// keyed by bucket, so this reads the whole table.
func dropBatch(ctx context.Context, tx *sql.Tx, batch string) error {
	var no int64
	err := tx.QueryRowContext(ctx, `SELECT batch_no FROM batches WHERE batch_id = ?`, batch).Scan(&no)
	if err == sql.ErrNoRows {
		return nil
	}
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM patient_buckets WHERE batch_no = ?`, no); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `DELETE FROM batches WHERE batch_no = ?`, no)
	return err
}

// Reset empties the index, as before a rebuild. An index with pages of
// another size than PageSize (made by an older version) is then rewritten
// with PageSize pages, unless another process has it open: the pages
// are only a matter of speed, so that is not an error, and PageSize
// tells the caller what the file has.
func (x *Index) Reset(ctx context.Context) error {
	tx, err := x.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("patientindex: reset: %w", err)
	}
	defer tx.Rollback()
	for _, q := range []string{`DELETE FROM patient_buckets`, `DELETE FROM batches`} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("patientindex: reset: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("patientindex: reset: %w", err)
	}
	_ = x.resize(ctx)
	return nil
}
