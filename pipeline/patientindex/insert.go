package patientindex

import (
	"bytes"
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/healthanchor/healthanchor/anchor/batchfile"
)

// insertChunk is how many rows one INSERT statement carries: a
// statement per row costs more than SQLite's work on the row.
const insertChunk = 256

// runPairs is how many (patient, row) pairs Add sorts in memory before
// inserting them (about 40 MB for short ids): a batch file of up to this
// many rows goes into the B-tree in one ordered sweep, a longer one in
// runs of this many. A variable so that tests can make runs short.
var runPairs = 1 << 20

// Add indexes the batch file at path as batch: every row with a
// patient_id. A batch already indexed is replaced, so adding is
// idempotent. It returns the number of rows indexed. Only the patient_id
// column is decoded; the rows go in sorted by patient, runPairs at a
// time, in one transaction.
func (x *Index) Add(ctx context.Context, batch, path string) (int64, error) {
	tx, err := x.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("patientindex: add %s: %w", batch, err)
	}
	defer tx.Rollback()
	if err := dropBatch(ctx, tx, batch); err != nil {
		return 0, fmt.Errorf("patientindex: add %s: %w", batch, err)
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO batches (batch_id, rows) VALUES (?, 0)`, batch)
	if err != nil {
		return 0, fmt.Errorf("patientindex: add %s: %w", batch, err)
	}
	no, err := res.LastInsertId()
	if err != nil {
		return 0, fmt.Errorf("patientindex: add %s: %w", batch, err)
	}
	ins := &inserter{tx: tx, batch: no}
	defer ins.close()
	_, err = batchfile.ReadTextColumn(ctx, path, "patient_id", func(first int64, ids []string) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		for i, id := range ids {
			if id == "" {
				continue
			}
			ins.pairs = append(ins.pairs, pair{len(ins.buf), len(ins.buf) + len(id), first + int64(i)})
			ins.buf = append(ins.buf, id...)
			if len(ins.pairs) == runPairs {
				if err := ins.flush(ctx); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err == nil {
		err = ins.flush(ctx)
	}
	if err != nil {
		return 0, fmt.Errorf("patientindex: add %s: %w", batch, err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE batches SET rows = ? WHERE batch_no = ?`, ins.n, no); err != nil {
		return 0, fmt.Errorf("patientindex: add %s: %w", batch, err)
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("patientindex: add %s: %w", batch, err)
	}
	return ins.n, nil
}

// inserter writes one batch's (patient_id, row) pairs in a transaction,
// a sorted run at a time.
type inserter struct {
	tx    *sql.Tx
	batch int64
	full  *sql.Stmt // insertChunk rows
	buf   []byte    // the run's patient ids, end to end
	pairs []pair
	args  []any
	n     int64
}

// pair is one row's patient id, buf[start:end], and row number.
type pair struct {
	start, end int
	row        int64
}

// flush inserts the run's pairs sorted by patient then row, the order of
// the table's key, so each B-tree page is reached once, and empties the
// run.
func (in *inserter) flush(ctx context.Context) error {
	buf := in.buf
	slices.SortFunc(in.pairs, func(a, b pair) int {
		return cmp.Or(bytes.Compare(buf[a.start:a.end], buf[b.start:b.end]), cmp.Compare(a.row, b.row))
	})
	ps := in.pairs
	for len(ps) > 0 {
		k := min(len(ps), insertChunk)
		stmt, err := in.stmt(ctx, k)
		if err != nil {
			return err
		}
		in.args = in.args[:0]
		for _, p := range ps[:k] {
			in.args = append(in.args, string(buf[p.start:p.end]), in.batch, p.row)
		}
		_, err = stmt.ExecContext(ctx, in.args...)
		if k < insertChunk {
			stmt.Close()
		}
		if err != nil {
			return fmt.Errorf("insert rows: %w", err)
		}
		in.n += int64(k)
		ps = ps[k:]
	}
	in.pairs, in.buf = in.pairs[:0], in.buf[:0]
	return nil
}

// stmt prepares an INSERT of k rows; the one of insertChunk rows is
// kept for the whole batch.
func (in *inserter) stmt(ctx context.Context, k int) (*sql.Stmt, error) {
	if k == insertChunk && in.full != nil {
		return in.full, nil
	}
	q := "INSERT INTO patient_rows (patient_id, batch_no, row) VALUES (?, ?, ?)" + strings.Repeat(", (?, ?, ?)", k-1)
	st, err := in.tx.PrepareContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("prepare insert: %w", err)
	}
	if k == insertChunk {
		in.full = st
	}
	return st, nil
}

func (in *inserter) close() {
	if in.full != nil {
		in.full.Close()
	}
}
