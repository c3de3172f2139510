package main

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/healthanchor/healthanchor/anchor/batchfile"
)

// batchArea damages published batch and rejects files, as bytes and as
// valid Parquet rewritten through Arrow; verify batch must reject each
// one, both given the published path (checked as that batch's file) and
// given a copy elsewhere (checked as the batch its footer names).
type batchArea struct {
	cfg, copyDir string
	ids          []string // every batch id on the chain
	files        []batchFix
}

type batchFix struct {
	path, id string
	orig     []byte
	table    *parquetTable
}

func (fx *mutationFixture) batchFiles(t *testing.T) area {
	t.Helper()
	a := &batchArea{cfg: fx.cfg, copyDir: fx.work(t, "batch")}
	for _, b := range fx.list {
		a.ids = append(a.ids, b.BatchID)
		for _, p := range []string{b.ParquetPath, b.RejectsPath} {
			if p == "" {
				continue
			}
			raw, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			tb, err := readParquet(raw)
			if err != nil {
				t.Fatalf("%s: %v", p, err)
			}
			a.files = append(a.files, batchFix{path: p, id: b.BatchID, orig: raw, table: tb})
		}
	}
	return a
}

func (a *batchArea) name() string { return areaBatch }

func (a *batchArea) control() [][]string {
	var out [][]string
	for _, f := range a.files {
		out = append(out, []string{"--config", a.cfg, "verify", "batch", f.path})
	}
	return out
}

// parquetTable is a batch file decoded to whole columns, with its footer.
type parquetTable struct {
	schema *arrow.Schema
	cols   []arrow.Array
	rows   int
	meta   [][2]string // footer key-value metadata, without the stored Arrow schema
}

func readParquet(raw []byte) (*parquetTable, error) {
	pf, err := file.NewParquetReader(bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	defer pf.Close()
	tb := &parquetTable{}
	kv := pf.MetaData().KeyValueMetadata()
	for i, k := range kv.Keys() {
		if k != "ARROW:schema" {
			tb.meta = append(tb.meta, [2]string{k, kv.Values()[i]})
		}
	}
	fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
	if err != nil {
		return nil, err
	}
	tbl, err := fr.ReadTable(context.Background())
	if err != nil {
		return nil, err
	}
	defer tbl.Release()
	tb.schema, tb.rows = tbl.Schema(), int(tbl.NumRows())
	for i := 0; i < int(tbl.NumCols()); i++ {
		col, err := array.Concatenate(tbl.Column(i).Data().Chunks(), memory.DefaultAllocator)
		if err != nil {
			return nil, err
		}
		tb.cols = append(tb.cols, col)
	}
	return tb, nil
}

// write encodes the table as Parquet as the batch writer does (zstd, no
// dictionaries, the Arrow schema stored) unless codec says otherwise.
func (tb *parquetTable) write(codec compress.Compression) ([]byte, error) {
	var buf bytes.Buffer
	props := parquet.NewWriterProperties(parquet.WithCompression(codec), parquet.WithCompressionLevel(1),
		parquet.WithDictionaryDefault(false), parquet.WithCreatedBy("healthanchor"))
	w, err := pqarrow.NewFileWriter(tb.schema, &buf, props, pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
	if err != nil {
		return nil, err
	}
	rec := array.NewRecordBatch(tb.schema, tb.cols, int64(tb.rows))
	defer rec.Release()
	if err := w.Write(rec); err != nil {
		return nil, err
	}
	for _, kv := range tb.meta {
		if err := w.AppendKeyValueMetadata(kv[0], kv[1]); err != nil {
			return nil, err
		}
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// with returns a copy of the table whose column c is col.
func (tb *parquetTable) with(c int, col arrow.Array) *parquetTable {
	out := *tb
	out.cols = append([]arrow.Array(nil), tb.cols...)
	out.cols[c] = col
	return &out
}

// reordered returns the table with its rows in order (indices into it).
func (tb *parquetTable) reordered(order []int) (*parquetTable, error) {
	out := *tb
	out.rows = len(order)
	out.cols = nil
	for _, col := range tb.cols {
		var parts []arrow.Array
		for k := 0; k < len(order); {
			end := k + 1
			for end < len(order) && order[end] == order[end-1]+1 {
				end++
			}
			parts = append(parts, array.NewSlice(col, int64(order[k]), int64(order[end-1]+1)))
			k = end
		}
		if len(parts) == 0 {
			parts = append(parts, array.NewSlice(col, 0, 0))
		}
		c, err := array.Concatenate(parts, memory.DefaultAllocator)
		if err != nil {
			return nil, err
		}
		out.cols = append(out.cols, c)
	}
	return &out, nil
}

// spliced returns col with row i replaced by the one-row array v.
func spliced(col, v arrow.Array, i int) (arrow.Array, error) {
	return array.Concatenate([]arrow.Array{array.NewSlice(col, 0, int64(i)), v, array.NewSlice(col, int64(i+1), int64(col.Len()))}, memory.DefaultAllocator)
}

// batchEdit is what a batch mutator produced: the new file, and whether
// the change is to the rows (the recomputed root must then be named).
type batchEdit struct {
	raw      []byte
	desc     string
	rowsEdit bool
}

type batchMutator func(rng *rand.Rand, a *batchArea, f batchFix) (batchEdit, bool, error)

var batchMutators = map[string]batchMutator{
	"bytes: bit flip": func(rng *rand.Rand, _ *batchArea, f batchFix) (batchEdit, bool, error) {
		raw := bytes.Clone(f.orig)
		i, bit := rng.IntN(len(raw)), rng.IntN(8)
		raw[i] ^= 1 << bit
		return batchEdit{raw: raw, desc: fmt.Sprintf("byte %d of %d, bit %d", i, len(raw), bit)}, true, nil
	},
	"bytes: bit flip in the footer": func(rng *rand.Rand, _ *batchArea, f batchFix) (batchEdit, bool, error) {
		raw := bytes.Clone(f.orig)
		footer := int(uint32(raw[len(raw)-8]) | uint32(raw[len(raw)-7])<<8 | uint32(raw[len(raw)-6])<<16 | uint32(raw[len(raw)-5])<<24)
		i, bit := len(raw)-8-footer+rng.IntN(footer+8), rng.IntN(8)
		raw[i] ^= 1 << bit
		return batchEdit{raw: raw, desc: fmt.Sprintf("footer byte %d of %d, bit %d", i, len(raw), bit)}, true, nil
	},
	"bytes: truncation": func(rng *rand.Rand, _ *batchArea, f batchFix) (batchEdit, bool, error) {
		n := rng.IntN(len(f.orig))
		return batchEdit{raw: bytes.Clone(f.orig[:n]), desc: fmt.Sprintf("first %d of %d bytes kept", n, len(f.orig))}, true, nil
	},
	"bytes: range cut or junk appended": func(rng *rand.Rand, _ *batchArea, f batchFix) (batchEdit, bool, error) {
		if rng.IntN(2) == 0 {
			junk := make([]byte, 1+rng.IntN(64))
			for i := range junk {
				junk[i] = byte(rng.IntN(256))
			}
			return batchEdit{raw: append(bytes.Clone(f.orig), junk...), desc: fmt.Sprintf("%d bytes appended", len(junk))}, true, nil
		}
		i := rng.IntN(len(f.orig))
		n := 1 + rng.IntN(min(64, len(f.orig)-i))
		return batchEdit{raw: append(bytes.Clone(f.orig[:i]), f.orig[i+n:]...), desc: fmt.Sprintf("bytes %d to %d cut", i, i+n)}, true, nil
	},
	"arrow: value replaced by another row's": func(rng *rand.Rand, _ *batchArea, f batchFix) (batchEdit, bool, error) {
		tb := f.table
		c, i, j := rng.IntN(len(tb.cols)), rng.IntN(tb.rows), rng.IntN(tb.rows)
		col := tb.cols[c]
		if col.IsNull(i) == col.IsNull(j) && col.ValueStr(i) == col.ValueStr(j) {
			return batchEdit{}, false, nil
		}
		nc, err := spliced(col, array.NewSlice(col, int64(j), int64(j+1)), i)
		if err != nil {
			return batchEdit{}, false, err
		}
		return rewrite(rng, tb.with(c, nc), fmt.Sprintf("row %d column %s: %q -> %q (row %d's)", i, tb.schema.Field(c).Name, col.ValueStr(i), col.ValueStr(j), j))
	},
	"arrow: text value edited": func(rng *rand.Rand, _ *batchArea, f batchFix) (batchEdit, bool, error) {
		tb := f.table
		c, i := rng.IntN(len(tb.cols)), rng.IntN(tb.rows)
		col, ok := tb.cols[c].(*array.String)
		if !ok || col.IsNull(i) {
			return batchEdit{}, false, nil
		}
		s, d := changeChar(rng, col.Value(i))
		b := array.NewStringBuilder(memory.DefaultAllocator)
		b.Append(s)
		nc, err := spliced(col, b.NewArray(), i)
		if err != nil {
			return batchEdit{}, false, err
		}
		return rewrite(rng, tb.with(c, nc), fmt.Sprintf("row %d column %s: %s", i, tb.schema.Field(c).Name, d))
	},
	"arrow: value set to null": func(rng *rand.Rand, _ *batchArea, f batchFix) (batchEdit, bool, error) {
		tb := f.table
		c, i := rng.IntN(len(tb.cols)), rng.IntN(tb.rows)
		col := tb.cols[c]
		if !tb.schema.Field(c).Nullable || col.IsNull(i) {
			return batchEdit{}, false, nil
		}
		nc, err := spliced(col, array.MakeArrayOfNull(memory.DefaultAllocator, col.DataType(), 1), i)
		if err != nil {
			return batchEdit{}, false, err
		}
		return rewrite(rng, tb.with(c, nc), fmt.Sprintf("row %d column %s: %q -> null", i, tb.schema.Field(c).Name, col.ValueStr(i)))
	},
	"arrow: row dropped": func(rng *rand.Rand, _ *batchArea, f batchFix) (batchEdit, bool, error) {
		i := rng.IntN(f.table.rows)
		return reorderRows(rng, f.table, fmt.Sprintf("row %d of %d dropped", i, f.table.rows), func(order []int) []int { return append(order[:i], order[i+1:]...) })
	},
	"arrow: two rows swapped": func(rng *rand.Rand, _ *batchArea, f batchFix) (batchEdit, bool, error) {
		i, j := rng.IntN(f.table.rows), rng.IntN(f.table.rows)
		if i == j {
			return batchEdit{}, false, nil
		}
		return reorderRows(rng, f.table, fmt.Sprintf("rows %d and %d swapped", i, j), func(order []int) []int { order[i], order[j] = order[j], order[i]; return order })
	},
	"arrow: row duplicated": func(rng *rand.Rand, _ *batchArea, f batchFix) (batchEdit, bool, error) {
		i := rng.IntN(f.table.rows)
		return reorderRows(rng, f.table, fmt.Sprintf("row %d duplicated", i), func(order []int) []int {
			return append(order[:i+1:i+1], append([]int{i}, order[i+1:]...)...)
		})
	},
	"arrow: re-encoded, same rows": func(_ *rand.Rand, _ *batchArea, f batchFix) (batchEdit, bool, error) {
		raw, err := f.table.write(compress.Codecs.Snappy)
		return batchEdit{raw: raw, desc: "rewritten with snappy instead of zstd"}, true, err
	},
	"arrow: footer metadata edited": func(rng *rand.Rand, a *batchArea, f batchFix) (batchEdit, bool, error) {
		tb := *f.table
		tb.meta = append([][2]string(nil), f.table.meta...)
		k := rng.IntN(len(tb.meta))
		old := tb.meta[k][1]
		switch {
		case tb.meta[k][0] == batchfile.MetaBatchID:
			tb.meta[k][1] = pick(rng, a.ids) // another anchored batch's id, or its own
		default:
			tb.meta[k][1], _ = changeChar(rng, old)
		}
		if tb.meta[k][1] == old {
			return batchEdit{}, false, nil
		}
		raw, err := tb.write(compress.Codecs.Zstd)
		return batchEdit{raw: raw, desc: fmt.Sprintf("footer %s: %q -> %q", tb.meta[k][0], old, tb.meta[k][1])}, true, err
	},
}

func reorderRows(rng *rand.Rand, tb *parquetTable, desc string, edit func([]int) []int) (batchEdit, bool, error) {
	order := make([]int, tb.rows)
	for i := range order {
		order[i] = i
	}
	nt, err := tb.reordered(edit(order))
	if err != nil {
		return batchEdit{}, false, err
	}
	return rewrite(rng, nt, desc)
}

// rewrite writes a table whose rows changed. Half the time it also fixes
// the footer's root and row count, as a forger would, so that only the
// anchor can tell.
func rewrite(rng *rand.Rand, tb *parquetTable, desc string) (batchEdit, bool, error) {
	raw, err := tb.write(compress.Codecs.Zstd)
	if err != nil || rng.IntN(2) == 0 {
		return batchEdit{raw: raw, desc: desc, rowsEdit: true}, true, err
	}
	tmp, err := os.CreateTemp("", "mutation-*.parquet")
	if err != nil {
		return batchEdit{}, false, err
	}
	defer os.Remove(tmp.Name())
	tmp.Write(raw)
	tmp.Close()
	sc, err := batchfile.Read(context.Background(), tmp.Name(), nil)
	if err != nil {
		return batchEdit{}, false, err
	}
	fixed := *tb
	fixed.meta = append([][2]string(nil), tb.meta...)
	for k := range fixed.meta {
		switch fixed.meta[k][0] {
		case batchfile.MetaMerkleRoot:
			fixed.meta[k][1] = fmt.Sprintf("%x", sc.Root)
		case batchfile.MetaRows:
			fixed.meta[k][1] = strconv.FormatInt(sc.Rows, 10)
		}
	}
	raw, err = fixed.write(compress.Codecs.Zstd)
	return batchEdit{raw: raw, desc: desc + ", footer root and rows fixed", rowsEdit: true}, true, err
}

func (a *batchArea) mutate(t *testing.T, rng *rand.Rand) trial {
	kinds := make([]string, 0, len(batchMutators))
	for k := range batchMutators {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	for {
		f := pick(rng, a.files)
		kind := pick(rng, kinds)
		e, ok, err := batchMutators[kind](rng, a, f)
		if err != nil {
			t.Fatalf("%s on %s: %v", kind, f.path, err)
		}
		if !ok || bytes.Equal(e.raw, f.orig) {
			continue
		}
		cp := filepath.Join(a.copyDir, filepath.Base(f.path))
		for _, p := range []string{f.path, cp} {
			if err := os.WriteFile(p, e.raw, 0o600); err != nil {
				t.Fatal(err)
			}
		}
		tr := trial{
			kind: kind, desc: filepath.Base(f.path) + ": " + e.desc,
			runs: [][]string{{"--config", a.cfg, "verify", "batch", f.path}, {"--config", a.cfg, "verify", "batch", cp}},
			undo: func() {
				os.Remove(cp)
				if err := os.WriteFile(f.path, f.orig, 0o600); err != nil {
					t.Fatal(err)
				}
			},
		}
		if e.rowsEdit {
			tr.check = func(err error) string {
				if err == nil || !strings.Contains(err.Error(), "merkle root") {
					return "it does not name the Merkle root"
				}
				return ""
			}
		}
		return tr
	}
}
