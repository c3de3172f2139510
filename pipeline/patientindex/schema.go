package patientindex

import (
	"context"
	"database/sql"
	"fmt"
)

// version is the index format, kept in SQLite's user_version. Format 1
// (user_version 0) repeated the batch id in every row; format 2 numbers
// the batches and keys each row by (patient_id, batch_no, row).
const version = 2

const schema = `CREATE TABLE batches (
	batch_no INTEGER PRIMARY KEY,
	batch_id TEXT NOT NULL UNIQUE,
	rows     INTEGER NOT NULL
);
CREATE TABLE patient_rows (
	patient_id TEXT NOT NULL,
	batch_no   INTEGER NOT NULL,
	row        INTEGER NOT NULL,
	PRIMARY KEY (patient_id, batch_no, row)
) WITHOUT ROWID;
PRAGMA user_version = 2;`

// upgradeV1 turns a format-1 index into format 2 in place: the batches
// get their numbers and every row is copied, in key order.
const upgradeV1 = `ALTER TABLE patient_rows RENAME TO patient_rows_v1;
` + schema + `
INSERT INTO batches (batch_id, rows) SELECT batch_id, rows FROM indexed_batches ORDER BY batch_id;
INSERT INTO patient_rows (patient_id, batch_no, row)
	SELECT p.patient_id, b.batch_no, p.row FROM patient_rows_v1 p JOIN batches b ON b.batch_id = p.batch_id
	ORDER BY p.patient_id, b.batch_no, p.row;
DROP TABLE patient_rows_v1;
DROP TABLE indexed_batches;`

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
	q, moved := schema, int64(-1)
	if old > 0 {
		q, moved = upgradeV1, 0
	}
	if _, err := tx.ExecContext(ctx, q); err != nil {
		return -1, err
	}
	if old > 0 {
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM patient_rows`).Scan(&moved); err != nil {
			return -1, err
		}
	}
	return moved, tx.Commit()
}
