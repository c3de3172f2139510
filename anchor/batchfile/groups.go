package batchfile

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"

	"github.com/healthanchor/healthanchor/internal/arrowmem"
)

// maxReadWorkers bounds the goroutines that decode and hash row groups
// at once: more than the cores only holds more batches in memory.
const maxReadWorkers = 4

// readPoolBytes bounds the free buffers kept per worker: about those of
// one decoded record batch of DefaultBatchRows rows.
const readPoolBytes = 16 << 20

// groupJob is one row group to decode and hash, and where its record
// batches' hashes go, in order (the channel is closed after the last).
type groupJob struct {
	group int
	out   chan hashed
}

// readGroups decodes and hashes the row groups of pf on up to
// GOMAXPROCS goroutines (row groups decode independently; our writer
// makes one of DefaultBatchRows rows each), and merges the hashes into
// the tree in row order, so the root and what fn sees do not depend on
// the number of cores. A damaged file's panic in a worker is its error;
// after the first error the rest is drained unhashed.
func (h *leafHasher) readGroups(ctx context.Context, pf *file.Reader, fn RowFunc) error {
	groups := pf.NumRowGroups()
	workers := max(1, min(runtime.GOMAXPROCS(0), groups, maxReadWorkers))
	jobs := make(chan groupJob)
	order := make(chan chan hashed, workers)
	var failed atomic.Bool
	// The decoded batches' buffers are recycled between row groups: a
	// fresh buffer costs its page faults and its share of collections.
	pool := arrowmem.NewPool(workers * readPoolBytes)
	for range workers {
		go func() {
			for j := range jobs {
				h.hashGroup(ctx, pf, pool, j, fn != nil, &failed)
			}
		}()
	}
	done := make(chan error, 1)
	go func() {
		var err error
		for c := range order {
			for r := range c {
				if err == nil {
					if err = r.err; err == nil {
						err = h.merge(r, fn)
					}
					if err != nil {
						failed.Store(true)
					}
				}
			}
		}
		done <- err
	}()
	for g := 0; g < groups && !failed.Load(); g++ {
		c := make(chan hashed, 1)
		jobs <- groupJob{group: g, out: c}
		order <- c
	}
	close(jobs)
	close(order)
	return <-done
}

// hashGroup decodes row group j.group batch by batch and sends each
// batch's hashes to j.out, then closes it.
func (h *leafHasher) hashGroup(ctx context.Context, pf *file.Reader, mem memory.Allocator, j groupJob, keep bool, failed *atomic.Bool) {
	defer close(j.out)
	defer func() {
		if p := recover(); p != nil {
			j.out <- hashed{err: fmt.Errorf("row group %d: the file does not decode: %v", j.group, p)}
		}
	}()
	fr, err := newArrowReader(pf, mem)
	if err != nil {
		j.out <- hashed{err: fmt.Errorf("row group %d: %w", j.group, err)}
		return
	}
	rr, err := fr.GetRecordReader(ctx, nil, []int{j.group})
	if err != nil {
		j.out <- hashed{err: fmt.Errorf("row group %d: %w", j.group, err)}
		return
	}
	defer rr.Release()
	var first int64
	for g := range j.group {
		first += pf.MetaData().RowGroup(g).NumRows()
	}
	for !failed.Load() && rr.Next() {
		rec := rr.RecordBatch()
		j.out <- h.hashBatch(rec, first, keep)
		first += rec.NumRows()
	}
	if err := rr.Err(); err != nil && !errors.Is(err, io.EOF) {
		j.out <- hashed{err: fmt.Errorf("row group %d: decoding rows: %w", j.group, err)}
	}
}
