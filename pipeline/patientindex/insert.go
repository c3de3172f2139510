package patientindex

import (
	"context"
	"database/sql"
	"encoding/binary"
	"fmt"
	"slices"
	"strings"

	"github.com/healthanchor/healthanchor/anchor/batchfile"
)

// bucketBits is how many bits of a patient id's hash choose its bucket:
// 2^14 buckets, so a batch of a million rows is stored as 16,384 SQLite
// rows of about 61 (patient, row) pairs each, and a lookup reads one
// bucket: one short range of the key.
const bucketBits = 14

// bucketOf is the bucket of patient id: the top bucketBits bits of its
// 64-bit FNV-1a hash.
func bucketOf(id string) uint32 {
	h := uint64(14695981039346656037) // FNV-1a 64, offset basis and prime
	for i := 0; i < len(id); i++ {
		h ^= uint64(id[i])
		h *= 1099511628211
	}
	return uint32(h >> (64 - bucketBits))
}

// insertChunk is how many bucket rows one INSERT statement carries.
const insertChunk = 64

// runPairs is how many (patient, row) pairs Add holds in memory,
// encoded (about 14 MB for ids of ten characters), before spilling them
// to a temporary file in bucket order; a batch with more pairs than this
// is merged from its spilled runs at the end, bucket by bucket, so that
// every batch is stored as one part: one row per bucket, each B-tree
// page reached once. A variable so that tests can make runs short.
var runPairs = 1 << 20

// Add indexes the batch file at path as batch: every row with a
// patient_id. A batch already indexed is replaced, so adding is
// idempotent. It returns the number of rows indexed. Only the patient_id
// column is decoded; the pairs go in grouped by bucket, one row per
// bucket, in one transaction (a long batch's pairs spilled, runPairs at
// a time, to a temporary file beside the index, then merged).
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
	if err := dropBatch(ctx, tx, batch); err != nil {
		return 0, fmt.Errorf("patientindex: add %s: %w", batch, err)
	}
	ins, err := newInserter(ctx, tx, batch)
	if err != nil {
		return 0, fmt.Errorf("patientindex: add %s: %w", batch, err)
	}
	ins.spillDir = x.dir
	defer ins.close()
	err = read(func(first int64, ids []string) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		for i, id := range ids {
			if err := ins.add(ctx, id, first+int64(i)); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil {
		err = ins.finish(ctx)
	}
	if err != nil {
		return 0, fmt.Errorf("patientindex: add %s: %w", batch, err)
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("patientindex: add %s: %w", batch, err)
	}
	return ins.n, nil
}

// inserter writes one batch's (patient_id, row) pairs in a transaction,
// one row per bucket. Each pair is encoded into its bucket's row as it
// comes, in row order, so a run needs no sort and holds its pairs once,
// encoded; a run of runPairs pairs that is not the last is spilled
// (spill.go) and the runs are merged when the batch ends.
type inserter struct {
	tx       *sql.Tx
	batch    int64
	full     *sql.Stmt               // insertChunk bucket rows
	buckets  [1 << bucketBits][]byte // the run's encoded pairs, by bucket
	pending  int                     // pairs in buckets
	used     []int                   // buckets holding pairs, in bucket order once sorted
	rows     []bucketRow             // rows of the INSERT being built
	args     []any
	n        int64
	spillDir string // where spilled runs go; "" for the system's temporary folder
	spill    *spill // the runs spilled so far, nil when none
}

// bucketRow is one row of patient_buckets for the batch: a bucket and
// its encoded pairs.
type bucketRow struct {
	bucket int
	pairs  []byte
}

// newInserter numbers batch (a new entry in batches) and returns an
// inserter of its rows.
func newInserter(ctx context.Context, tx *sql.Tx, batch string) (*inserter, error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO batches (batch_id, rows) VALUES (?, 0)`, batch)
	if err != nil {
		return nil, err
	}
	no, err := res.LastInsertId()
	if err != nil {
		return nil, err
	}
	return &inserter{tx: tx, batch: no}, nil
}

// add takes one row's patient id; an empty id names no patient.
func (in *inserter) add(ctx context.Context, id string, row int64) error {
	if id == "" {
		return nil
	}
	b := bucketOf(id)
	if len(in.buckets[b]) == 0 {
		in.used = append(in.used, int(b))
	}
	in.buckets[b] = appendPair(in.buckets[b], id, row)
	in.pending++
	if in.pending == runPairs {
		return in.spillRun()
	}
	return nil
}

// finish writes the batch's rows, from memory or merged from the
// spilled runs and the last one, and its row count.
func (in *inserter) finish(ctx context.Context) error {
	var err error
	if in.spill == nil {
		err = in.writeRun(ctx)
	} else if err = in.spillRun(); err == nil {
		err = in.spill.merge(func(r bucketRow) error { return in.add1(ctx, r) })
		if err == nil {
			err = in.insert(ctx)
		}
	}
	if err != nil {
		return err
	}
	_, err = in.tx.ExecContext(ctx, `UPDATE batches SET rows = ? WHERE batch_no = ?`, in.n, in.batch)
	return err
}

// writeRun writes the run's buckets as one row each, in bucket order
// (the order of the table's key, so each B-tree page is reached once).
func (in *inserter) writeRun(ctx context.Context) error {
	slices.Sort(in.used)
	for _, b := range in.used {
		if err := in.add1(ctx, bucketRow{b, in.buckets[b]}); err != nil {
			return err
		}
	}
	in.n += int64(in.pending)
	return in.insert(ctx)
}

// spillRun appends the run's buckets, in bucket order, to the spill
// file, and empties the run.
func (in *inserter) spillRun() error {
	if in.spill == nil {
		s, err := newSpill(in.spillDir)
		if err != nil {
			return err
		}
		in.spill = s
	}
	slices.Sort(in.used)
	if err := in.spill.writeRun(in.used, &in.buckets); err != nil {
		return err
	}
	for _, b := range in.used {
		in.buckets[b] = in.buckets[b][:0]
	}
	in.n += int64(in.pending)
	in.pending, in.used = 0, in.used[:0]
	return nil
}

// add1 queues one bucket row, inserting the queue when it holds
// insertChunk rows. The row's pairs must stay unchanged until then.
func (in *inserter) add1(ctx context.Context, r bucketRow) error {
	in.rows = append(in.rows, r)
	if len(in.rows) == insertChunk {
		return in.insert(ctx)
	}
	return nil
}

// insert writes the queued rows in one statement and empties the queue.
func (in *inserter) insert(ctx context.Context) error {
	k := len(in.rows)
	if k == 0 {
		return nil
	}
	stmt, err := in.stmt(ctx, k)
	if err != nil {
		return err
	}
	in.args = in.args[:0]
	for _, r := range in.rows {
		in.args = append(in.args, r.bucket, in.batch, 0, r.pairs)
	}
	_, err = stmt.ExecContext(ctx, in.args...)
	if k < insertChunk {
		stmt.Close()
	}
	in.rows = in.rows[:0]
	if err != nil {
		return fmt.Errorf("insert rows: %w", err)
	}
	if in.spill != nil {
		in.spill.release()
	}
	return nil
}

// appendPair appends one encoded pair to out: the id's length
// (uvarint), the id, the row number (uvarint).
func appendPair[ID []byte | string](out []byte, id ID, row int64) []byte {
	out = binary.AppendUvarint(out, uint64(len(id)))
	out = append(out, id...)
	return binary.AppendUvarint(out, uint64(row))
}

// decodePairs calls fn with each pair of a bucket row.
func decodePairs(b []byte, fn func(id []byte, row int64)) error {
	for len(b) > 0 {
		n, k := binary.Uvarint(b)
		if k <= 0 || uint64(len(b)-k) < n {
			return fmt.Errorf("corrupt bucket row")
		}
		id := b[k : k+int(n)]
		b = b[k+int(n):]
		row, k := binary.Uvarint(b)
		if k <= 0 {
			return fmt.Errorf("corrupt bucket row")
		}
		b = b[k:]
		fn(id, int64(row))
	}
	return nil
}

// stmt prepares an INSERT of k bucket rows; the one of insertChunk rows
// is kept for the whole batch.
func (in *inserter) stmt(ctx context.Context, k int) (*sql.Stmt, error) {
	if k == insertChunk && in.full != nil {
		return in.full, nil
	}
	q := "INSERT INTO patient_buckets (bucket, batch_no, part, pairs) VALUES (?, ?, ?, ?)" + strings.Repeat(", (?, ?, ?, ?)", k-1)
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
	if in.spill != nil {
		in.spill.close()
	}
}
