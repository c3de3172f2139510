package batchfile

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/healthanchor/healthanchor/anchor/merkle"
	"github.com/healthanchor/healthanchor/schemas"
)

// Scan is what reading a batch file back yields: its footer metadata, and
// what was recomputed from its bytes and rows.
type Scan struct {
	Meta   map[string]string // footer key-value metadata
	Rows   int64             // rows read
	Erased []int64           // rows in erased form (their _leaf set), in order
	Root   []byte            // recomputed RFC 6962 root
	SHA256 []byte            // of the file's bytes
	Size   int64
}

// arrowSchemaKey is the footer key under which Arrow writers store their schema.
const arrowSchemaKey = "ARROW:schema"

// RowFunc is called for each row's canonical record and leaf hash, in
// order. canonical is valid only during the call; it is nil for an erased
// row, whose values are gone and whose leaf hash its _leaf column keeps.
type RowFunc func(row int64, canonical []byte, leafHash [32]byte) error

// Read re-reads the batch file at path: it hashes its bytes, decodes every
// row, rebuilds each canonical record and recomputes the Merkle root. fn,
// if not nil, sees every row. It works on any Parquet file whose columns
// have canonical kinds, not only on files this package wrote.
func Read(ctx context.Context, path string, fn RowFunc) (sc Scan, err error) {
	// A damaged file can make the Parquet decoder panic deep inside; for
	// a verifier that is a file that does not decode, not a crash.
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("batchfile: %s: the file does not decode: %v", path, p)
		}
	}()
	f, err := os.Open(path)
	if err != nil {
		return sc, fmt.Errorf("batchfile: %w", err)
	}
	defer f.Close()
	return ReadFrom(ctx, path, f, fn)
}

// Source is what ReadFrom reads a batch file from: an *os.File, or an
// object read by ranges (storage.Object), which should also be an
// io.WriterTo so that hashing streams it in one request.
type Source interface {
	io.ReaderAt
	io.ReadSeeker
}

// ReadFrom is Read for a batch file already open as src, named name in
// errors: it hashes src from its start, then decodes it by ranges (the
// footer, then each column chunk).
func ReadFrom(ctx context.Context, name string, src Source, fn RowFunc) (sc Scan, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("batchfile: %s: the file does not decode: %v", name, p)
		}
	}()
	path := name
	h := sha256.New()
	if sc.Size, err = io.Copy(h, src); err != nil {
		return sc, fmt.Errorf("batchfile: %s: %w", path, err)
	}
	sc.SHA256 = h.Sum(nil)

	pf, err := file.NewParquetReader(src)
	if err != nil {
		return sc, fmt.Errorf("batchfile: %s: not a readable Parquet file: %w", path, err)
	}
	defer pf.Close()
	sc.Meta = map[string]string{}
	kv := pf.MetaData().KeyValueMetadata()
	for i, k := range kv.Keys() {
		sc.Meta[k] = kv.Values()[i]
	}
	// The canonical encoding depends only on the Parquet logical types, so
	// the stored Arrow schema (a flatbuffer whose lengths a damaged file can
	// make absurd) is not decoded at all.
	for _, kv := range kv {
		if kv.Key == arrowSchemaKey {
			kv.Key = "healthanchor.ignored:" + arrowSchemaKey
		}
	}
	fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{BatchSize: DefaultBatchRows}, memory.DefaultAllocator)
	if err != nil {
		return sc, fmt.Errorf("batchfile: %s: %w", path, err)
	}
	rr, err := fr.GetRecordReader(ctx, nil, nil)
	if err != nil {
		return sc, fmt.Errorf("batchfile: %s: %w", path, err)
	}
	defer rr.Release()
	enc, lc, err := canonicalSchema(rr.Schema())
	if err != nil {
		return sc, fmt.Errorf("batchfile: %s: %w", path, err)
	}
	hasher := newLeafHasher(enc, lc)
	// Decoding (here) and hashing (hashAll's goroutine) overlap, one
	// record batch apart: on two cores a file is read in about the time
	// the slower of the two takes.
	recs := make(chan arrow.RecordBatch, 1)
	done := make(chan error, 1)
	var failed atomic.Bool
	go func() { done <- hasher.hashAll(recs, fn, &failed) }()
	closed := false
	defer func() {
		// A panic while decoding: the hasher is stopped before the
		// caller sees the error.
		if !closed {
			close(recs)
			<-done
		}
	}()
	for !failed.Load() && rr.Next() {
		rec := rr.RecordBatch()
		rec.Retain()
		recs <- rec
	}
	close(recs)
	closed = true
	if err := <-done; err != nil {
		return sc, fmt.Errorf("batchfile: %s: %w", path, err)
	}
	sc.Rows, sc.Erased = hasher.rows, hasher.erased
	if err := rr.Err(); err != nil && !errors.Is(err, io.EOF) {
		return sc, fmt.Errorf("batchfile: %s: decoding rows: %w", path, err)
	}
	sc.Root = hasher.tree.Root()
	return sc, nil
}

// hashAll hashes the record batches of recs in order (add), releasing
// each, until recs is closed. After the first error it sets failed, so
// that the reader stops decoding, and releases the rest unhashed. A
// panic while hashing (a damaged file) is that error.
func (h *leafHasher) hashAll(recs <-chan arrow.RecordBatch, fn RowFunc, failed *atomic.Bool) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("the file does not decode: %v", p)
		}
		if err != nil {
			failed.Store(true)
			for rec := range recs {
				rec.Release()
			}
		}
	}()
	for rec := range recs {
		err = h.add(rec, fn)
		rec.Release()
		if err != nil {
			return err
		}
	}
	return nil
}

// leafHasher turns record batches into leaf hashes appended to a tree,
// in row order: the one path both the writer and the reader hash by. An
// erased row's leaf hash is the one its _leaf column keeps.
type leafHasher struct {
	enc    *schemas.LeafEncoder
	lc     leafColumn
	tree   *merkle.Tree
	buf    []byte // 0x00 then the current row's canonical record
	rows   int64
	erased []int64
}

func newLeafHasher(enc *schemas.LeafEncoder, lc leafColumn) *leafHasher {
	return &leafHasher{enc: enc, lc: lc, tree: merkle.New()}
}

// add hashes every row of rec; fn, if not nil, sees each one.
func (h *leafHasher) add(rec arrow.RecordBatch, fn RowFunc) error {
	canon, lv := h.lc.project(rec)
	defer canon.Release()
	b := h.enc.Batch(canon)
	for i := 0; i < int(rec.NumRows()); i++ {
		lh, erased, err := lv.erased(i)
		if err != nil {
			return fmt.Errorf("row %d: %w", h.rows, err)
		}
		var canonical []byte
		if erased {
			h.erased = append(h.erased, h.rows)
		} else {
			h.buf, err = b.AppendLeaf(h.buf[:0], i)
			if err != nil {
				return fmt.Errorf("row %d: %w", h.rows, err)
			}
			lh, canonical = sha256.Sum256(h.buf), h.buf[1:]
		}
		if err := h.tree.Append(lh[:]); err != nil {
			return err
		}
		if fn != nil {
			if err := fn(h.rows, canonical, lh); err != nil {
				return err
			}
		}
		h.rows++
	}
	return nil
}

// MetaRows parses the footer's row count, or -1 when absent or malformed.
func (s Scan) MetaRows() int64 {
	n, err := strconv.ParseInt(s.Meta[MetaRows], 10, 64)
	if err != nil {
		return -1
	}
	return n
}
