package batchfile

import (
	"context"
	"fmt"
	"unsafe"

	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/file"
)

// ColumnFunc receives one record batch of a text column: the row number
// of values[0], then each row's value, "" where it is null. The strings
// are valid only during the call.
type ColumnFunc func(firstRow int64, values []string) error

// ReadTextColumn decodes only the text column name of the batch file at
// path, record batch by record batch, in row order: no other column, no
// canonical records, no hashing, so it checks nothing against an anchor
// (Read does). found is false, and fn never called, when the file has
// no such column.
func ReadTextColumn(ctx context.Context, path, name string, fn ColumnFunc) (found bool, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("batchfile: %s: the file does not decode: %v", path, p)
		}
	}()
	pf, err := file.OpenParquetFile(path, false)
	if err != nil {
		return false, fmt.Errorf("batchfile: %s: not a readable Parquet file: %w", path, err)
	}
	defer pf.Close()
	return readTextColumn(ctx, path, pf, name, fn)
}

// ReadTextColumnFrom is ReadTextColumn for a batch file already open as
// src (an object read by ranges: only the footer and the column's chunks
// are fetched), named path in errors.
func ReadTextColumnFrom(ctx context.Context, path string, src Source, name string, fn ColumnFunc) (found bool, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("batchfile: %s: the file does not decode: %v", path, p)
		}
	}()
	pf, err := file.NewParquetReader(src)
	if err != nil {
		return false, fmt.Errorf("batchfile: %s: not a readable Parquet file: %w", path, err)
	}
	defer pf.Close()
	return readTextColumn(ctx, path, pf, name, fn)
}

// readTextColumn decodes the column with Parquet's own column reader,
// page by page, without building Arrow arrays: each value is a view of
// the decoded page, handed to fn as a string that is valid only during
// the call (as ColumnFunc says), so nothing is copied.
func readTextColumn(ctx context.Context, path string, pf *file.Reader, name string, fn ColumnFunc) (found bool, err error) {
	col := pf.MetaData().Schema.ColumnIndexByName(name)
	if col < 0 {
		return false, nil
	}
	descr := pf.MetaData().Schema.Column(col)
	if descr.PhysicalType() != parquet.Types.ByteArray {
		return true, fmt.Errorf("batchfile: %s: column %s is %s, not text", path, name, descr.PhysicalType())
	}
	maxDef := descr.MaxDefinitionLevel()
	var (
		row    int64
		page   = make([]parquet.ByteArray, DefaultBatchRows)
		defs   = make([]int16, DefaultBatchRows)
		values = make([]string, 0, DefaultBatchRows)
	)
	for g := range pf.NumRowGroups() {
		cr, err := pf.RowGroup(g).Column(col)
		if err != nil {
			return true, fmt.Errorf("batchfile: %s: row group %d, column %s: %w", path, g, name, err)
		}
		br, ok := cr.(*file.ByteArrayColumnChunkReader)
		if !ok {
			return true, fmt.Errorf("batchfile: %s: column %s is not text", path, name)
		}
		for br.HasNext() {
			if err := ctx.Err(); err != nil {
				return true, err
			}
			n, k, err := br.ReadBatchInPage(DefaultBatchRows, page, defs, nil)
			if err != nil {
				return true, fmt.Errorf("batchfile: %s: decoding column %s: %w", path, name, err)
			}
			if n == 0 {
				break
			}
			values = values[:0]
			if maxDef == 0 || int(n) == k { // no nulls: the values are the rows
				for _, v := range page[:k] {
					values = append(values, unsafe.String(unsafe.SliceData(v), len(v)))
				}
			} else {
				next := 0
				for _, d := range defs[:n] {
					if d < maxDef {
						values = append(values, "")
						continue
					}
					v := page[next]
					next++
					values = append(values, unsafe.String(unsafe.SliceData(v), len(v)))
				}
			}
			if err := fn(row, values); err != nil {
				return true, err
			}
			row += n
		}
		if err := br.Err(); err != nil {
			return true, fmt.Errorf("batchfile: %s: decoding column %s: %w", path, name, err)
		}
	}
	return true, nil
}
