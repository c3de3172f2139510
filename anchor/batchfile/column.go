package batchfile

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
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

func readTextColumn(ctx context.Context, path string, pf *file.Reader, name string, fn ColumnFunc) (found bool, err error) {
	col := pf.MetaData().Schema.ColumnIndexByName(name)
	if col < 0 {
		return false, nil
	}
	fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{BatchSize: DefaultBatchRows}, memory.DefaultAllocator)
	if err != nil {
		return false, fmt.Errorf("batchfile: %s: %w", path, err)
	}
	rr, err := fr.GetRecordReader(ctx, []int{col}, nil)
	if err != nil {
		return false, fmt.Errorf("batchfile: %s: column %s: %w", path, name, err)
	}
	defer rr.Release()
	var row int64
	var values []string
	for rr.Next() {
		rec := rr.RecordBatch()
		strs, ok := rec.Column(0).(*array.String)
		if !ok {
			return true, fmt.Errorf("batchfile: %s: column %s is %s, not text", path, name, rec.Column(0).DataType())
		}
		values = values[:0]
		for i := range strs.Len() {
			values = append(values, textAt(strs, i))
		}
		if err := fn(row, values); err != nil {
			return true, err
		}
		row += int64(len(values))
	}
	if err := rr.Err(); err != nil && !errors.Is(err, io.EOF) {
		return true, fmt.Errorf("batchfile: %s: decoding column %s: %w", path, name, err)
	}
	return true, nil
}

// textAt is the value at i, "" when null.
func textAt(a *array.String, i int) string {
	if a.IsNull(i) {
		return ""
	}
	return a.Value(i)
}
