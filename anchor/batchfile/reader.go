package batchfile

import (
	"context"
	"crypto/sha256"
	"errors"
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
	Root   []byte            // recomputed RFC 6962 root
	SHA256 []byte            // of the file's bytes
	Size   int64
}

// arrowSchemaKey is the footer key under which Arrow writers store their schema.
const arrowSchemaKey = "ARROW:schema"

// RowFunc is called for each row's canonical record and leaf hash, in
// order. canonical is valid only during the call.
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
	h := sha256.New()
	if sc.Size, err = io.Copy(h, f); err != nil {
		return sc, fmt.Errorf("batchfile: %s: %w", path, err)
	}
	sc.SHA256 = h.Sum(nil)

	pf, err := file.NewParquetReader(f)
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
	enc, err := schemas.NewLeafEncoder(rr.Schema())
	if err != nil {
		return sc, fmt.Errorf("batchfile: %s: %w", path, err)
	}
	tree := merkle.New()
	var buf []byte
	for rr.Next() {
		rec := rr.RecordBatch()
		if err := scanRecord(enc, rec, tree, &buf, &sc.Rows, fn); err != nil {
			return sc, fmt.Errorf("batchfile: %s: %w", path, err)
		}
	}
	if err := rr.Err(); err != nil && !errors.Is(err, io.EOF) {
		return sc, fmt.Errorf("batchfile: %s: decoding rows: %w", path, err)
	}
	sc.Root = tree.Root()
	return sc, nil
}

func scanRecord(enc *schemas.LeafEncoder, rec arrow.RecordBatch, tree *merkle.Tree, buf *[]byte, rows *int64, fn RowFunc) error {
	for i := 0; i < int(rec.NumRows()); i++ {
		var err error
		*buf, err = enc.AppendRow((*buf)[:0], rec, i)
		if err != nil {
			return fmt.Errorf("row %d: %w", *rows, err)
		}
		lh := schemas.LeafHash(*buf)
		if err := tree.Append(lh[:]); err != nil {
			return err
		}
		if fn != nil {
			if err := fn(*rows, *buf, lh); err != nil {
				return err
			}
		}
		*rows++
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
