package batchfile

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/healthanchor/healthanchor/internal/arrowmem"
	"github.com/healthanchor/healthanchor/internal/fsutil"
)

// Erased describes a rewritten batch file.
type Erased struct {
	Rows   int64   // rows in the file, kept and erased
	Erased []int64 // rows in erased form, the new ones and those before
	New    int64   // rows this rewrite erased
	Root   []byte  // recomputed RFC 6962 root: the source file's
	SHA256 []byte  // of the new file
	Size   int64
}

// Erase writes to dst (created exclusively with mode, fsynced) a copy of
// the batch file at src in which every row listed in rows is in erased
// form: every column null, and _leaf holding the row's leaf hash
// (docs/format.md, "Erased rows"). Rows already erased stay so. Every
// column of dst is nullable, and its footer is src's with
// healthanchor.erased_rows added. The root over dst's rows is src's; a
// row beyond the file's end is an error. When every row of rows is
// already erased in src, nothing is written and Erased.New is 0. Moving
// dst over src is the caller's, so a crash leaves one whole file.
func Erase(ctx context.Context, src, dst string, rows []int64, mode fs.FileMode) (res Erased, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("batchfile: erase %s: the file does not decode: %v", src, p)
		}
	}()
	want := map[int64]bool{}
	for _, r := range rows {
		want[r] = true
	}
	f, err := os.Open(src)
	if err != nil {
		return res, fmt.Errorf("batchfile: erase %s: %w", src, err)
	}
	defer f.Close()
	return eraseFrom(ctx, src, f, dst, want, mode)
}

// EraseFrom is Erase for a batch file already open as src (an object
// read by ranges), named name in errors; dst is a local file.
func EraseFrom(ctx context.Context, name string, src Source, dst string, rows []int64, mode fs.FileMode) (res Erased, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("batchfile: erase %s: the file does not decode: %v", name, p)
		}
	}()
	want := map[int64]bool{}
	for _, r := range rows {
		want[r] = true
	}
	return eraseFrom(ctx, name, src, dst, want, mode)
}

func eraseFrom(ctx context.Context, src string, f Source, dst string, want map[int64]bool, mode fs.FileMode) (res Erased, err error) {
	in, err := openRows(f)
	if err != nil {
		return res, fmt.Errorf("batchfile: erase %s: %w", src, err)
	}
	defer in.close()
	res, err = in.rewrite(ctx, dst, want, mode)
	if err != nil || res.New == 0 {
		os.Remove(dst)
	}
	if err != nil {
		return res, fmt.Errorf("batchfile: erase %s: %w", src, err)
	}
	if res.New == 0 {
		res.SHA256, res.Size = nil, 0
	}
	return res, nil
}

// sourceFile is a batch file open for rewriting.
type sourceFile struct {
	pf   *file.Reader
	meta [][2]string // its healthanchor.* footer keys
}

func openRows(f Source) (*sourceFile, error) {
	pf, err := file.NewParquetReader(f)
	if err != nil {
		return nil, fmt.Errorf("not a readable Parquet file: %w", err)
	}
	s := &sourceFile{pf: pf}
	kv := pf.MetaData().KeyValueMetadata()
	for i, k := range kv.Keys() {
		if strings.HasPrefix(k, "healthanchor.") && k != MetaErasedRows {
			s.meta = append(s.meta, [2]string{k, kv.Values()[i]})
		}
	}
	return s, nil
}

func (s *sourceFile) close() { s.pf.Close() }

func (s *sourceFile) rewrite(ctx context.Context, dst string, want map[int64]bool, mode fs.FileMode) (Erased, error) {
	var res Erased
	rows := s.pf.NumRows()
	for r := range want {
		if r < 0 || r >= rows {
			return res, fmt.Errorf("row %d: the file has %d rows", r, rows)
		}
	}
	pool := arrowmem.NewPool(poolBytes)
	fr, err := pqarrow.NewFileReader(s.pf, pqarrow.ArrowReadProperties{BatchSize: DefaultBatchRows}, pool)
	if err != nil {
		return res, err
	}
	rr, err := fr.GetRecordReader(ctx, nil, nil)
	if err != nil {
		return res, err
	}
	defer rr.Release()
	enc, lc, err := canonicalSchema(rr.Schema())
	if err != nil {
		return res, err
	}
	out := erasedSchema(lc.canon)
	f, err := fsutil.CreateFile(dst, mode)
	if err != nil {
		return res, err
	}
	defer f.Close()
	sum := sha256.New()
	cw := &countingWriter{w: io.MultiWriter(f, sum)}
	pw, err := pqarrow.NewFileWriter(out, cw, writerProps(pool, DefaultBatchRows), pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
	if err != nil {
		return res, err
	}
	h := newLeafHasher(enc, lc)
	before := map[int64]bool{} // rows erased in the source file
	for rr.Next() {
		rec := rr.RecordBatch()
		first := h.rows
		var leaves [][32]byte
		if err := h.add(rec, func(_ int64, _ []byte, lh [32]byte) error {
			leaves = append(leaves, lh)
			return nil
		}); err != nil {
			return res, err
		}
		for _, r := range h.erased[len(before):] {
			before[r] = true
		}
		nrec, err := eraseRecord(pool, out, lc, rec, first, leaves, func(r int64) bool { return want[r] || before[r] })
		if err != nil {
			return res, err
		}
		err = pw.Write(nrec)
		nrec.Release()
		if err != nil {
			return res, err
		}
	}
	if err := rr.Err(); err != nil && !errors.Is(err, io.EOF) {
		return res, fmt.Errorf("decoding rows: %w", err)
	}
	res.Rows, res.Root = h.rows, h.tree.Root()
	for r := range h.rows {
		if want[r] || before[r] {
			res.Erased = append(res.Erased, r)
			if !before[r] {
				res.New++
			}
		}
	}
	meta := append(slices.Clone(s.meta), [2]string{MetaErasedRows, strconv.Itoa(len(res.Erased))})
	for _, kv := range meta {
		if kv[0] == MetaMerkleRoot && kv[1] != hex.EncodeToString(res.Root) {
			return res, fmt.Errorf("the rows give root %x, the footer says %s: not rewriting a file that does not match itself", res.Root, kv[1])
		}
		if err := pw.AppendKeyValueMetadata(kv[0], kv[1]); err != nil {
			return res, err
		}
	}
	if err := pw.Close(); err != nil {
		return res, err
	}
	if err := f.Sync(); err != nil {
		return res, err
	}
	res.SHA256, res.Size = sum.Sum(nil), cw.n
	return res, f.Close()
}

// erasedSchema is canon with every column nullable and _leaf last.
func erasedSchema(canon *arrow.Schema) *arrow.Schema {
	fields := make([]arrow.Field, 0, canon.NumFields()+1)
	for _, f := range canon.Fields() {
		f.Nullable = true
		fields = append(fields, f)
	}
	fields = append(fields, arrow.Field{Name: ColLeaf, Type: arrow.BinaryTypes.String, Nullable: true})
	md := canon.Metadata()
	return arrow.NewSchema(fields, &md)
}

// eraseRecord builds rec's rows in schema out: the rows that erase
// selects (by file row, rec's first row being first) with every column
// null and _leaf their leaf hash, the others as they are.
func eraseRecord(mem memory.Allocator, out *arrow.Schema, lc leafColumn, rec arrow.RecordBatch, first int64, leaves [][32]byte, erase func(int64) bool) (arrow.RecordBatch, error) {
	n := int(rec.NumRows())
	var gone []int
	for i := range n {
		if erase(first + int64(i)) {
			gone = append(gone, i)
		}
	}
	cols := make([]arrow.Array, 0, out.NumFields())
	defer func() {
		for _, c := range cols {
			c.Release()
		}
	}()
	for c := range rec.NumCols() {
		if int(c) == lc.leaf {
			continue
		}
		col, err := nullRows(mem, rec.Column(int(c)), gone)
		if err != nil {
			return nil, err
		}
		cols = append(cols, col)
	}
	lb := array.NewStringBuilder(mem)
	defer lb.Release()
	lb.Reserve(n)
	k := 0
	for i := range n {
		if k < len(gone) && gone[k] == i {
			lb.Append(hex.EncodeToString(leaves[i][:]))
			k++
		} else {
			lb.AppendNull()
		}
	}
	cols = append(cols, lb.NewArray())
	return array.NewRecordBatch(out, cols, int64(n)), nil
}

// nullRows returns arr with the rows gone (sorted) set to null.
func nullRows(mem memory.Allocator, arr arrow.Array, gone []int) (arrow.Array, error) {
	if len(gone) == 0 {
		arr.Retain()
		return arr, nil
	}
	var parts []arrow.Array
	defer func() {
		for _, p := range parts {
			p.Release()
		}
	}()
	at := 0
	for _, g := range gone {
		if g > at {
			parts = append(parts, array.NewSlice(arr, int64(at), int64(g)))
		}
		parts = append(parts, array.MakeArrayOfNull(mem, arr.DataType(), 1))
		at = g + 1
	}
	if at < arr.Len() {
		parts = append(parts, array.NewSlice(arr, int64(at), int64(arr.Len())))
	}
	return array.Concatenate(parts, mem)
}
