package patientindex

import (
	"bytes"
	"cmp"
	"context"
	"database/sql"
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
	"unsafe"

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
			ins.pairs = append(ins.pairs, newPair(id, len(ins.buf), first+int64(i)))
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

// pair is one row's patient id, buf[start:end], and row number. key
// holds the id's first 16 bytes (zero-padded, big-endian), so most
// comparisons while sorting are two integer ones.
type pair struct {
	key        [2]uint64
	start, end int
	row        int64
}

func newPair(id string, start int, row int64) pair {
	var k [16]byte
	copy(k[:], id)
	return pair{
		key:   [2]uint64{binary.BigEndian.Uint64(k[:8]), binary.BigEndian.Uint64(k[8:])},
		start: start, end: start + len(id), row: row,
	}
}

// comparePairs orders pairs as the table's key does: by patient id (as
// bytes, SQLite's BINARY collation), then row. Keys that are equal only
// when padded (one id is a prefix of the other, or they share 16 bytes)
// are told apart by the ids themselves.
func comparePairs(buf []byte, a, b pair) int {
	if c := cmp.Or(cmp.Compare(a.key[0], b.key[0]), cmp.Compare(a.key[1], b.key[1])); c != 0 {
		return c
	}
	return cmp.Or(bytes.Compare(buf[a.start:a.end], buf[b.start:b.end]), cmp.Compare(a.row, b.row))
}

// flush inserts the run's pairs sorted by patient then row, the order of
// the table's key, so each B-tree page is reached once, and empties the
// run.
func (in *inserter) flush(ctx context.Context) error {
	buf := in.buf
	slices.SortFunc(in.pairs, func(a, b pair) int { return comparePairs(buf, a, b) })
	ps := in.pairs
	for len(ps) > 0 {
		k := min(len(ps), insertChunk)
		stmt, err := in.stmt(ctx, k)
		if err != nil {
			return err
		}
		in.args = in.args[:0]
		for _, p := range ps[:k] {
			// SQLite copies the text as it binds it, and buf stays
			// unchanged until the statement has run: no copy needed.
			in.args = append(in.args, unsafe.String(unsafe.SliceData(buf[p.start:p.end]), p.end-p.start), in.batch, p.row)
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
