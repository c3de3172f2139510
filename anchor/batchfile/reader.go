package batchfile

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"strconv"

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
	fr, err := newArrowReader(pf, memory.DefaultAllocator)
	if err != nil {
		return sc, fmt.Errorf("batchfile: %s: %w", path, err)
	}
	arrowSchema, err := fr.Schema()
	if err != nil {
		return sc, fmt.Errorf("batchfile: %s: %w", path, err)
	}
	enc, lc, err := canonicalSchema(arrowSchema)
	if err != nil {
		return sc, fmt.Errorf("batchfile: %s: %w", path, err)
	}
	hasher := newLeafHasher(enc, lc)
	if err := hasher.readGroups(ctx, pf, fn); err != nil {
		return sc, fmt.Errorf("batchfile: %s: %w", path, err)
	}
	sc.Rows, sc.Erased = hasher.rows, hasher.erased
	sc.Root = hasher.tree.Root()
	return sc, nil
}

// newArrowReader decodes pf into Arrow record batches of DefaultBatchRows
// allocated from mem.
func newArrowReader(pf *file.Reader, mem memory.Allocator) (*pqarrow.FileReader, error) {
	return pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{BatchSize: DefaultBatchRows}, mem)
}

// leafHasher turns record batches into leaf hashes appended to a tree,
// in row order: the one path both the writer and the reader hash by. An
// erased row's leaf hash is the one its _leaf column keeps.
type leafHasher struct {
	enc    *schemas.LeafEncoder
	lc     leafColumn
	tree   *merkle.Tree
	rows   int64
	erased []int64
}

func newLeafHasher(enc *schemas.LeafEncoder, lc leafColumn) *leafHasher {
	return &leafHasher{enc: enc, lc: lc, tree: merkle.New()}
}

// add hashes every row of rec; fn, if not nil, sees each one.
func (h *leafHasher) add(rec arrow.RecordBatch, fn RowFunc) error {
	r := h.hashBatch(rec, h.rows, fn != nil)
	if r.err != nil {
		return r.err
	}
	return h.merge(r, fn)
}

// hashed is what hashBatch computed of one record batch.
type hashed struct {
	leaves [][32]byte // every row's leaf hash
	erased []int      // the batch's rows in erased form
	leafs  []byte     // when kept: each row's leaf bytes (0x00 and its canonical record), one after the other
	ends   []int      // when kept: where row k's bytes end in leafs (an erased row's are empty)
	err    error
}

// hashBatch computes the leaf hashes of rec, whose first row is the
// file's row first (for errors); keep keeps the canonical records too,
// for a RowFunc. It changes nothing in h, so that several goroutines may
// hash batches of one file at once (merge then takes them in row order).
func (h *leafHasher) hashBatch(rec arrow.RecordBatch, first int64, keep bool) (out hashed) {
	canon, lv := h.lc.project(rec)
	defer canon.Release()
	b := h.enc.Batch(canon)
	n := int(rec.NumRows())
	out.leaves = make([][32]byte, n)
	if keep {
		out.ends = make([]int, n)
	}
	var buf []byte
	for i := range n {
		lh, erased, err := lv.erased(i)
		if err != nil {
			out.err = fmt.Errorf("row %d: %w", first+int64(i), err)
			return out
		}
		if erased {
			out.erased = append(out.erased, i)
		} else {
			start := 0
			if keep {
				start = len(buf)
			}
			if buf, err = b.AppendLeaf(buf[:start], i); err != nil {
				out.err = fmt.Errorf("row %d: %w", first+int64(i), err)
				return out
			}
			lh = sha256.Sum256(buf[start:])
		}
		out.leaves[i] = lh
		if keep {
			out.ends[i] = len(buf)
		}
	}
	out.leafs = buf
	return out
}

// merge appends the leaf hashes of the next record batch to the tree;
// fn, if not nil, sees each row (r must then keep its records).
func (h *leafHasher) merge(r hashed, fn RowFunc) error {
	for _, i := range r.erased {
		h.erased = append(h.erased, h.rows+int64(i))
	}
	start := 0
	for k, lh := range r.leaves {
		if err := h.tree.Append(lh[:]); err != nil {
			return err
		}
		if fn != nil {
			var canonical []byte
			if end := r.ends[k]; end > start {
				canonical, start = r.leafs[start+1:end], end
			}
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
