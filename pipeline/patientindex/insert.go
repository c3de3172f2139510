package patientindex

import (
	"cmp"
	"database/sql"
	"fmt"
	"slices"
	"strings"
)

// insertChunk is how many rows one INSERT statement carries: a
// statement per row costs more than SQLite's work on the row.
const insertChunk = 256

// inserter writes one batch's (patient_id, row) pairs in a transaction.
type inserter struct {
	tx    *sql.Tx
	batch string
	full  *sql.Stmt // insertChunk rows
	pairs []pair
	args  []any
	n     int64
}

type pair struct {
	id  string
	row int64
}

// add inserts the rows of one record batch that name a patient, sorted
// by patient so that they land in few B-tree pages.
func (in *inserter) add(first int64, ids []string) error {
	in.pairs = in.pairs[:0]
	for i, id := range ids {
		if id != "" {
			// ids are valid only during the call; SQLite copies them.
			in.pairs = append(in.pairs, pair{id, first + int64(i)})
		}
	}
	slices.SortFunc(in.pairs, func(a, b pair) int {
		return cmp.Or(strings.Compare(a.id, b.id), cmp.Compare(a.row, b.row))
	})
	ps := in.pairs
	for len(ps) > 0 {
		k := min(len(ps), insertChunk)
		stmt, err := in.stmt(k)
		if err != nil {
			return err
		}
		in.args = in.args[:0]
		for _, p := range ps[:k] {
			in.args = append(in.args, p.id, in.batch, p.row)
		}
		_, err = stmt.Exec(in.args...)
		if k < insertChunk {
			stmt.Close()
		}
		if err != nil {
			return fmt.Errorf("insert rows of batch %s: %w", in.batch, err)
		}
		in.n += int64(k)
		ps = ps[k:]
	}
	return nil
}

// stmt prepares an INSERT of k rows; the one of insertChunk rows is
// kept for the whole batch.
func (in *inserter) stmt(k int) (*sql.Stmt, error) {
	if k == insertChunk && in.full != nil {
		return in.full, nil
	}
	q := "INSERT INTO patient_rows (patient_id, batch_id, row) VALUES (?, ?, ?)" + strings.Repeat(", (?, ?, ?)", k-1)
	st, err := in.tx.Prepare(q)
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
