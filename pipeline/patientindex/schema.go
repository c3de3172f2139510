package patientindex

import (
	"context"
	"database/sql"
	"fmt"
)

// version is the index format, kept in SQLite's user_version. Format 1
// (user_version 0) had a row per record, keyed by patient_id with the
// batch id repeated; format 2 numbers the batches and stores a batch's
// (patient, row) pairs grouped by the patient's bucket (bucketOf), a
// SQLite row per bucket and batch.
const version = 2

const schema = `CREATE TABLE batches (
	batch_no INTEGER PRIMARY KEY,
	batch_id TEXT NOT NULL UNIQUE,
	rows     INTEGER NOT NULL
);
CREATE TABLE patient_buckets (
	bucket   INTEGER NOT NULL,
	batch_no INTEGER NOT NULL,
	part     INTEGER NOT NULL,
	pairs    BLOB NOT NULL,
	PRIMARY KEY (bucket, batch_no, part)
) WITHOUT ROWID;
PRAGMA user_version = 2;`

// migrate brings the file to the current format in one transaction:
// creates it when empty, upgrades a format-1 file. It returns the rows
// an upgrade carried over, -1 when there was none.
func migrate(ctx context.Context, db *sql.DB) (int64, error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return -1, err
	}
	defer tx.Rollback()
	var v int
	if err := tx.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&v); err != nil {
		return -1, err
	}
	if v == version {
		return -1, nil
	}
	if v > version {
		return -1, fmt.Errorf("index format %d is newer than this program's (%d): use a newer healthanchor, or move the file aside and run `healthanchor index rebuild`", v, version)
	}
	var old int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'indexed_batches'`).Scan(&old); err != nil {
		return -1, err
	}
	if _, err := tx.ExecContext(ctx, schema); err != nil {
		return -1, err
	}
	moved := int64(-1)
	if old > 0 {
		if moved, err = upgradeV1(ctx, tx); err != nil {
			return -1, fmt.Errorf("upgrade from format 1: %w", err)
		}
	}
	return moved, tx.Commit()
}

// upgradeV1 copies a format-1 index's batches and rows into the current
// tables, batch by batch, then drops the old tables.
func upgradeV1(ctx context.Context, tx *sql.Tx) (int64, error) {
	rows, err := tx.QueryContext(ctx, `SELECT i.batch_id, p.patient_id, p.row FROM indexed_batches i
		LEFT JOIN patient_rows p ON p.batch_id = i.batch_id ORDER BY i.batch_id`)
	if err != nil {
		return 0, err
	}
	var (
		ins   *inserter
		batch string
		moved int64
	)
	done := func() error {
		if ins == nil {
			return nil
		}
		defer ins.close()
		err := ins.finish(ctx)
		moved += ins.n
		return err
	}
	for rows.Next() {
		var b string
		var id sql.NullString
		var row sql.NullInt64
		if err := rows.Scan(&b, &id, &row); err != nil {
			rows.Close()
			return 0, err
		}
		if ins == nil || b != batch {
			if err := done(); err != nil {
				rows.Close()
				return 0, err
			}
			if ins, err = newInserter(ctx, tx, b); err != nil {
				rows.Close()
				return 0, err
			}
			batch = b
		}
		if id.Valid {
			if err := ins.add(ctx, id.String, row.Int64); err != nil {
				rows.Close()
				return 0, err
			}
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	if err := done(); err != nil {
		return 0, err
	}
	if _, err := tx.ExecContext(ctx, `DROP TABLE patient_rows; DROP TABLE indexed_batches;`); err != nil {
		return 0, err
	}
	return moved, nil
}
