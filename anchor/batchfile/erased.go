package batchfile

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/healthanchor/healthanchor/schemas"
)

// ColLeaf is the column of a rewritten batch file that carries the leaf
// hash of each erased row (docs/format.md, "Erased rows"): 64 lower-case
// hex digits on an erased row, whose other columns are all null, and null
// on a kept row. It is not part of any row's canonical record.
const ColLeaf = "_leaf"

// MetaErasedRows is the footer key of a rewritten file: how many of its
// rows are erased.
const MetaErasedRows = "healthanchor.erased_rows"

// leafColumn splits a file's schema into the columns of the canonical
// record and the _leaf column: leaf is its index, -1 when the file has
// none; keep lists the other columns' indexes, and canon is their schema.
type leafColumn struct {
	leaf  int
	keep  []int
	canon *arrow.Schema
}

func splitLeafColumn(sc *arrow.Schema) (leafColumn, error) {
	lc := leafColumn{leaf: -1, canon: sc}
	idx := sc.FieldIndices(ColLeaf)
	if len(idx) == 0 {
		return lc, nil
	}
	if len(idx) > 1 {
		return lc, fmt.Errorf("column %q appears twice", ColLeaf)
	}
	lc.leaf = idx[0]
	if t := sc.Field(lc.leaf).Type.ID(); t != arrow.STRING && t != arrow.LARGE_STRING {
		return lc, fmt.Errorf("column %q is %s, not text", ColLeaf, sc.Field(lc.leaf).Type)
	}
	fields := make([]arrow.Field, 0, sc.NumFields()-1)
	for i := range sc.NumFields() {
		if i != lc.leaf {
			lc.keep = append(lc.keep, i)
			fields = append(fields, sc.Field(i))
		}
	}
	md := sc.Metadata()
	lc.canon = arrow.NewSchema(fields, &md)
	return lc, nil
}

// project returns rec without its _leaf column (rec itself, retained,
// when it has none), and the _leaf values (nil when none). The caller
// releases the record.
func (lc leafColumn) project(rec arrow.RecordBatch) (arrow.RecordBatch, *leafValues) {
	if lc.leaf < 0 {
		rec.Retain()
		return rec, nil
	}
	cols := make([]arrow.Array, len(lc.keep))
	for k, i := range lc.keep {
		cols[k] = rec.Column(i)
	}
	lv := &leafValues{arr: rec.Column(lc.leaf), cols: cols}
	return array.NewRecordBatch(lc.canon, cols, rec.NumRows()), lv
}

// leafValues reads the _leaf column of one record batch.
type leafValues struct {
	arr  arrow.Array
	cols []arrow.Array // the canonical columns, to check erased rows are empty
}

// erased returns the leaf hash of row i when it is erased.
func (lv *leafValues) erased(i int) ([32]byte, bool, error) {
	var lh [32]byte
	if lv == nil || lv.arr.IsNull(i) {
		return lh, false, nil
	}
	var s string
	switch a := lv.arr.(type) {
	case *array.String:
		s = a.Value(i)
	case *array.LargeString:
		s = a.Value(i)
	}
	if len(s) != 2*sha256.Size || s != lowerHex(s) {
		return lh, true, fmt.Errorf("%s is %q, not 64 lower-case hex digits", ColLeaf, s)
	}
	if _, err := hex.Decode(lh[:], []byte(s)); err != nil {
		return lh, true, fmt.Errorf("%s: %w", ColLeaf, err)
	}
	for _, c := range lv.cols {
		if c.IsValid(i) {
			return lh, true, fmt.Errorf("an erased row (its %s is set) still holds values", ColLeaf)
		}
	}
	return lh, true, nil
}

func lowerHex(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'F' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// canonicalSchema is the schema a rewritten file's leaf encoder works on.
func canonicalSchema(sc *arrow.Schema) (*schemas.LeafEncoder, leafColumn, error) {
	lc, err := splitLeafColumn(sc)
	if err != nil {
		return nil, lc, err
	}
	enc, err := schemas.NewLeafEncoder(lc.canon)
	return enc, lc, err
}
