package sql

import (
	"context"
	dbsql "database/sql"
	"fmt"
)

// each calls fn for every row after cur up to and including upper, in
// (watermark, key) order, reading chunk rows per statement. cells is
// reused once fn returns; fn must copy what it keeps.
//
// A second goroutine fetches the rows from the driver (which decodes
// them) into a few reusable batches while fn converts the previous ones
// on the caller's goroutine. It runs the next page's statement only once
// fn has seen every row of the previous page, so a page is queried after
// the rows before it are handled, as if each ran alone. each returns
// only after that goroutine has ended: on fn's error it cancels the
// fetch, which may break the connection (the session is then closed).
func (s *session) each(ctx context.Context, cur cursor, upper position, chunk int, fn func(cells []cell) error) error {
	fctx, cancel := context.WithCancel(ctx)
	ncols := len(s.src.cols)
	f := &fetcher{s: s, ncols: ncols, free: make(chan *cellBatch, batchesInFlight), full: make(chan *cellBatch, batchesInFlight)}
	for range batchesInFlight {
		f.spare = append(f.spare, newCellBatch(batchRows*ncols))
	}
	var fetchErr error
	go func() {
		defer close(f.full)
		fetchErr = f.run(fctx, cur, upper, chunk)
	}()
	defer func() {
		// Stop the fetcher if it still runs, and wait for it: the session
		// is closed once each returns, even when fn panics.
		cancel()
		for range f.full {
		}
	}()
	if err := consume(ctx, f.full, f.free, ncols, fn); err != nil {
		return err
	}
	return fetchErr // set before full was closed
}

// consume calls fn for each row of the batches from full, in order,
// handing every batch back to free once done with it.
func consume(ctx context.Context, full <-chan *cellBatch, free chan<- *cellBatch, ncols int, fn func([]cell) error) error {
	for b := range full {
		for i := range b.n {
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("sql: read: %w", err)
			}
			if err := fn(b.cells[i*ncols : (i+1)*ncols : (i+1)*ncols]); err != nil {
				return err
			}
		}
		free <- b
	}
	return nil
}

// Rows are handed from the fetcher to the consumer batchRows at a time;
// batchesInFlight batches exist, which bounds the rows read ahead.
const (
	batchRows       = 256
	batchesInFlight = 4
)

// cellBatch is n rows of cells as read, ncols cells per row.
type cellBatch struct {
	cells []cell
	n     int
}

func newCellBatch(size int) *cellBatch {
	return &cellBatch{cells: make([]cell, size)}
}

// fetcher reads pages into batches. Every batch is at any time in exactly
// one place: spare or cur (the fetcher's), full, or free (on its way back
// from the consumer).
type fetcher struct {
	s     *session
	ncols int
	free  chan *cellBatch
	full  chan *cellBatch
	spare []*cellBatch
	cur   *cellBatch
}

// run reads every page, then hands over the last partial batch. Rows read
// before an error are handed over too, and the error returned after them.
func (f *fetcher) run(ctx context.Context, cur cursor, upper position, chunk int) error {
	err := f.pages(ctx, cur, upper, chunk)
	if ferr := f.flush(ctx); err == nil {
		err = ferr
	}
	return err
}

func (f *fetcher) pages(ctx context.Context, cur cursor, upper position, chunk int) error {
	for {
		q, args, err := f.s.src.pageSQL(cur, upper, chunk)
		if err != nil {
			return err
		}
		n, last, err := f.page(ctx, q, args)
		if err != nil {
			return err
		}
		if n < chunk {
			return nil
		}
		if cur.pos, err = f.s.positionOf(last[0], last[1]); err != nil {
			return err
		}
		cur.kind = curFull
		if err := f.barrier(ctx); err != nil {
			return err
		}
	}
}

// page runs one page statement, returning how many rows it read and the
// watermark and key cells of the last one. PostgreSQL pages are read
// through pgx itself (pgpage.go), the others through database/sql.
func (f *fetcher) page(ctx context.Context, q string, args []any) (int, [2]cell, error) {
	if f.s.d.driver == Postgres {
		return f.pgPage(ctx, q, args)
	}
	rows, err := f.s.conn.QueryContext(ctx, q, args...)
	if err != nil {
		return 0, [2]cell{}, f.s.readErr(ctx, err)
	}
	defer rows.Close()
	return f.drain(ctx, newSQLRows(rows, f.ncols))
}

// pageRows is the rows of one page statement, as a driver hands them over.
type pageRows interface {
	// Next advances to the next row, reporting false at the end or on an
	// error, which Err then returns.
	Next() bool
	// scan fills row, one cell per column, from the current row. The
	// cells must stay valid once later rows are read.
	scan(row []cell) error
	Err() error
}

// sqlRows reads a page through database/sql, scanning each value into an
// any as the other drivers hand it over.
type sqlRows struct {
	*dbsql.Rows
	vals []any
	ptrs []any // &vals[i]
}

func newSQLRows(rows *dbsql.Rows, ncols int) *sqlRows {
	r := &sqlRows{Rows: rows, vals: make([]any, ncols), ptrs: make([]any, ncols)}
	for i := range r.vals {
		r.ptrs[i] = &r.vals[i]
	}
	return r
}

func (r *sqlRows) scan(row []cell) error {
	if err := r.Scan(r.ptrs...); err != nil {
		return err
	}
	for i, v := range r.vals {
		row[i] = cellOf(v)
	}
	return nil
}

// drain reads every row of a page into batches, returning how many it
// read and the watermark and key cells of the last one.
func (f *fetcher) drain(ctx context.Context, rows pageRows) (int, [2]cell, error) {
	var last [2]cell
	n := 0
	for {
		row, err := f.next(ctx)
		if err != nil {
			return n, last, err
		}
		if !rows.Next() {
			break
		}
		if err := rows.scan(row); err != nil {
			return n, last, f.s.readErr(ctx, err)
		}
		n++
		last[0], last[1] = row[0], row[1]
		if err := ctx.Err(); err != nil {
			return n, last, fmt.Errorf("sql: read: %w", err)
		}
		if err := f.commit(ctx); err != nil {
			return n, last, err
		}
	}
	if err := rows.Err(); err != nil {
		return n, last, f.s.readErr(ctx, err)
	}
	return n, last, nil
}

// next returns the cells the next row is read into, taking a batch when
// the fetcher holds none.
func (f *fetcher) next(ctx context.Context) ([]cell, error) {
	if f.cur == nil {
		if len(f.spare) == 0 {
			if err := f.take(ctx); err != nil {
				return nil, err
			}
		}
		f.cur = f.spare[len(f.spare)-1]
		f.spare = f.spare[:len(f.spare)-1]
		f.cur.n = 0
	}
	i, j := f.cur.n*f.ncols, (f.cur.n+1)*f.ncols
	return f.cur.cells[i:j:j], nil
}

// commit counts the row just scanned, handing the batch over once full.
func (f *fetcher) commit(ctx context.Context) error {
	f.cur.n++
	if f.cur.n == batchRows {
		return f.flush(ctx)
	}
	return nil
}

// flush hands the current batch, if it holds rows, to the consumer.
func (f *fetcher) flush(ctx context.Context) error {
	if f.cur == nil || f.cur.n == 0 {
		return nil
	}
	select {
	case f.full <- f.cur:
		f.cur = nil
		return nil
	case <-ctx.Done():
		return fmt.Errorf("sql: read: %w", ctx.Err())
	}
}

// take waits for a batch to come back from the consumer.
func (f *fetcher) take(ctx context.Context) error {
	select {
	case b := <-f.free:
		f.spare = append(f.spare, b)
		return nil
	case <-ctx.Done():
		return fmt.Errorf("sql: read: %w", ctx.Err())
	}
}

// barrier hands over the current batch and waits until the consumer has
// handled every row fetched so far.
func (f *fetcher) barrier(ctx context.Context) error {
	if err := f.flush(ctx); err != nil {
		return err
	}
	if f.cur != nil { // taken for a row the page did not have
		f.spare = append(f.spare, f.cur)
		f.cur = nil
	}
	for len(f.spare) < batchesInFlight {
		if err := f.take(ctx); err != nil {
			return err
		}
	}
	return nil
}
