// Package batchfile writes and reads batch files: Parquet files of one
// canonical schema whose rows are salted, hashed into an RFC 6962 Merkle
// root in the same pass, and described in the footer metadata
// (docs/format.md, "Batch file").
package batchfile

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"strconv"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/healthanchor/healthanchor/internal/arrowmem"
	"github.com/healthanchor/healthanchor/internal/fsutil"
	"github.com/healthanchor/healthanchor/schemas"
)

// Footer metadata keys of a batch file.
const (
	MetaBatchID     = "healthanchor.batch_id"
	MetaSchema      = "healthanchor.schema"
	MetaFingerprint = "healthanchor.fingerprint"
	MetaRows        = "healthanchor.rows"
	MetaMerkleRoot  = "healthanchor.merkle_root"
)

// DefaultBatchRows is the number of rows per Arrow record batch (and
// Parquet row group) when Options.BatchRows is zero.
const DefaultBatchRows = 32768

// poolBytes bounds the free buffers kept for reuse: those of the few
// record batches in flight between building, encoding and hashing, and
// the Parquet encoder's.
const poolBytes = 24 << 20

// writerPool is the buffer pool every Writer of the process draws from.
// One pool for all, rather than one a writer: a run writing several
// batches at once (an HL7 feed writes one per schema) would otherwise
// hold a pool's worth of free buffers per batch, a heap that sits at the
// process's memory limit, where the collector runs twice as often and
// the pages it returns to the system are faulted back in (an HL7 run of
// 500 MB: 205 collections against 97, and 20% longer).
var writerPool = arrowmem.NewPool(poolBytes)

// openWriters counts the Writers not yet closed or aborted; the last one
// done drains writerPool.
var openWriters atomic.Int64

// done is called once by Close or Abort.
func (w *Writer) done() {
	if openWriters.Add(-1) == 0 {
		writerPool.Drain()
	}
}

// Options tune a Writer.
type Options struct {
	BatchRows int // rows per record batch; DefaultBatchRows when zero
	// Mode is the file's permission mode, exactly (whatever the umask);
	// DefaultMode when zero. A batch file holds patient data.
	Mode fs.FileMode
	// Tee, when set, also receives every byte of the file as it is
	// written, in order (an upload streaming the file to an object store
	// while it is written). An error from it fails the file like a write
	// error.
	Tee io.Writer
}

// DefaultMode is a batch file's mode when Options.Mode is zero: the
// owner's alone.
const DefaultMode fs.FileMode = 0o600

// Result describes a finished batch file.
type Result struct {
	Path   string // where the file was written
	Rows   int64
	Root   []byte // RFC 6962 root over the rows' canonical records
	SHA256 []byte // of the whole file
	Size   int64
}

// Writer streams rows of one schema into a Parquet file. Rows are
// gathered into record batches of fixed size; each full batch is encoded
// to Parquet by one goroutine while another hashes its canonical records,
// so memory stays bounded by a few batches whatever the row count.
type Writer struct {
	schema   *schemas.Schema
	batchID  string
	path     string
	file     *os.File
	sum      hash.Hash
	counter  countingWriter
	pw       *pqarrow.FileWriter
	builder  *schemas.Builder
	salter   *Salter
	rows     int64
	perBatch int

	toWrite chan arrow.RecordBatch
	toHash  chan arrow.RecordBatch
	wrote   chan error
	hashed  chan hashResult
	closed  bool
}

type hashResult struct {
	root []byte
	err  error
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// Create starts a batch file at path (created exclusively, with mode
// opt.Mode) for rows of schema s in batch batchID, salted with saltKey.
func Create(path string, s *schemas.Schema, batchID string, saltKey []byte, opt Options) (*Writer, error) {
	if opt.Mode == 0 {
		opt.Mode = DefaultMode
	}
	f, err := fsutil.CreateFile(path, opt.Mode)
	if err != nil {
		return nil, fmt.Errorf("batchfile: %w", err)
	}
	pool := writerPool
	w := &Writer{
		schema: s, batchID: batchID, path: path, file: f, sum: sha256.New(),
		builder: schemas.NewBuilder(s, pool), salter: NewSalter(saltKey, batchID),
		perBatch: opt.BatchRows,
		toWrite:  make(chan arrow.RecordBatch, 1), toHash: make(chan arrow.RecordBatch, 1),
		wrote: make(chan error, 1), hashed: make(chan hashResult, 1),
	}
	if w.perBatch <= 0 {
		w.perBatch = DefaultBatchRows
	}
	w.builder.Reserve(w.perBatch)
	w.counter.w = io.MultiWriter(f, w.sum)
	if opt.Tee != nil {
		w.counter.w = io.MultiWriter(f, w.sum, opt.Tee)
	}
	props := writerProps(pool, w.perBatch)
	w.pw, err = pqarrow.NewFileWriter(s.Arrow(), &w.counter, props, pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
	if err != nil {
		f.Close()
		os.Remove(path)
		return nil, fmt.Errorf("batchfile: %s: %w", path, err)
	}
	enc, err := schemas.NewLeafEncoder(s.Arrow())
	if err != nil {
		f.Close()
		os.Remove(path)
		return nil, err
	}
	openWriters.Add(1)
	go w.writeLoop()
	go hashLoop(enc, w.toHash, w.hashed)
	return w, nil
}

// dataPageBytes is the size a column's data page is cut at. The Parquet
// writer makes new page buffers for every column of every row group and
// grows them to the page's size; at 128 KiB rather than the default
// 1 MiB they cost far fewer fresh, zeroed bytes (a 1M-row csv run 5 to
// 7% faster, an HL7 run with four batches open 7 to 10%), for files
// 0.4 to 2% larger.
const dataPageBytes = 128 << 10

// writerProps are the Parquet properties of every batch file this package
// writes, new or rewritten.
func writerProps(pool memory.Allocator, perBatch int) *parquet.WriterProperties {
	popts := []parquet.WriterProperty{
		parquet.WithCompression(compress.Codecs.Zstd),
		// zstd's fastest level: most of the size gain for a third of the time.
		parquet.WithCompressionLevel(1),
		parquet.WithMaxRowGroupLength(int64(perBatch)),
		parquet.WithDataPageSize(dataPageBytes),
		parquet.WithCreatedBy("healthanchor"),
		parquet.WithAllocator(pool),
		// No dictionaries: Arrow's dictionary encoder looks every value up
		// through an allocating hash probe. On a 1M-row patient export,
		// dictionaries on the few columns whose values repeat (sex, city,
		// country) cost 4 to 10% of the run and saved under 4% of the
		// file: zstd shrinks repeated short strings nearly as well.
		parquet.WithDictionaryDefault(false),
		// Salts are random bytes: compressing them or keeping their
		// min/max costs time (a tenth of the writer's) and saves nothing.
		parquet.WithCompressionFor(schemas.ColSalt, compress.Codecs.Uncompressed),
		parquet.WithStatsFor(schemas.ColSalt, false),
		// Leaf hashes of erased rows are random too; plain, uncompressed
		// hex keeps them readable by any Parquet reader.
		parquet.WithCompressionFor(ColLeaf, compress.Codecs.Uncompressed),
		parquet.WithStatsFor(ColLeaf, false),
	}
	return parquet.NewWriterProperties(popts...)
}

func (w *Writer) writeLoop() {
	var err error
	for rec := range w.toWrite {
		if err == nil {
			err = w.pw.Write(rec)
		}
		rec.Release()
	}
	w.wrote <- err
}

func hashLoop(enc *schemas.LeafEncoder, in <-chan arrow.RecordBatch, out chan<- hashResult) {
	h := newLeafHasher(enc, leafColumn{leaf: -1})
	var err error
	for rec := range in {
		if err == nil {
			err = h.add(rec, nil)
		}
		rec.Release()
	}
	out <- hashResult{root: h.tree.Root(), err: err}
}

// Append adds one row. The writer fills _schema and _salt; the other
// columns come from the row as given. The row is copied.
func (w *Writer) Append(r schemas.Row) error {
	if w.closed {
		return fmt.Errorf("batchfile: %s: append after close", w.path)
	}
	r[schemas.IdxSchema] = schemas.TextValue(w.schema.ID())
	r[schemas.IdxSalt] = schemas.TextValue(string(w.salter.Salt(uint64(w.rows))))
	if err := w.builder.Append(r); err != nil {
		return err
	}
	w.rows++
	if w.builder.Len() >= w.perBatch {
		w.flush()
	}
	return nil
}

func (w *Writer) flush() {
	if w.builder.Len() == 0 {
		return
	}
	rec := w.builder.NewRecord()
	rec.Retain()
	w.toHash <- rec
	w.toWrite <- rec
}

// Rows is the number of rows appended so far.
func (w *Writer) Rows() int64 { return w.rows }

// Close flushes the last rows, writes the footer metadata (batch id,
// schema, fingerprint, rows, root), fsyncs and closes the file. On error
// (a full disk) the partial file is removed.
func (w *Writer) Close() (Result, error) {
	if w.closed {
		return Result{}, fmt.Errorf("batchfile: %s: closed twice", w.path)
	}
	w.closed = true
	defer w.done()
	w.flush()
	close(w.toHash)
	close(w.toWrite)
	werr := <-w.wrote
	hr := <-w.hashed
	w.builder.Release()
	fail := func(err error) (Result, error) {
		w.file.Close()
		os.Remove(w.path) // a file that could not be finished is no use
		return Result{}, fmt.Errorf("batchfile: %s: %w", w.path, err)
	}
	if werr != nil {
		return fail(werr)
	}
	if hr.err != nil {
		return fail(hr.err)
	}
	meta := [][2]string{
		{MetaBatchID, w.batchID},
		{MetaSchema, w.schema.ID()},
		{MetaFingerprint, w.schema.Fingerprint()},
		{MetaRows, strconv.FormatInt(w.rows, 10)},
		{MetaMerkleRoot, hex.EncodeToString(hr.root)},
	}
	for _, kv := range meta {
		if err := w.pw.AppendKeyValueMetadata(kv[0], kv[1]); err != nil {
			return fail(err)
		}
	}
	if err := w.pw.Close(); err != nil {
		return fail(err)
	}
	if err := w.file.Sync(); err != nil {
		return fail(err)
	}
	if err := w.file.Close(); err != nil {
		os.Remove(w.path)
		return Result{}, fmt.Errorf("batchfile: %s: %w", w.path, err)
	}
	return Result{Path: w.path, Rows: w.rows, Root: hr.root, SHA256: w.sum.Sum(nil), Size: w.counter.n}, nil
}

// Abort stops writing and removes the partial file.
func (w *Writer) Abort() {
	if !w.closed {
		w.closed = true
		defer w.done()
		close(w.toHash)
		close(w.toWrite)
		<-w.wrote
		<-w.hashed
		w.builder.Release()
		w.pw.Close()
		w.file.Close()
	}
	os.Remove(w.path)
}
