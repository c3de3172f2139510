package schemas

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Builder accumulates rows of one schema into Arrow record batches.
type Builder struct {
	schema  *Schema
	rb      *array.RecordBuilder
	cols    []columnBuilder // the record builder's field builders, typed once
	rows    int
	reserve int // rows to make room for after each NewRecord
}

// columnBuilder is one field builder with its concrete type resolved:
// exactly one of the typed pointers matching kind is set.
type columnBuilder struct {
	kind Kind
	any  array.Builder
	bin  *array.BinaryBuilder // Text (a StringBuilder's own) and Binary
	i64  *array.Int64Builder
	bl   *array.BooleanBuilder
	d32  *array.Date32Builder
	ts   *array.TimestampBuilder
	dec  *array.Decimal128Builder

	dataHint int // value bytes of the last batch (text and binary columns)
}

// NewBuilder returns a builder for schema s using allocator mem (nil for the default).
func NewBuilder(s *Schema, mem memory.Allocator) *Builder {
	if mem == nil {
		mem = memory.DefaultAllocator
	}
	b := &Builder{schema: s, rb: array.NewRecordBuilder(mem, s.Arrow())}
	b.cols = make([]columnBuilder, len(s.Fields))
	for i, f := range s.Fields {
		fb := b.rb.Field(i)
		c := columnBuilder{kind: f.Kind, any: fb}
		switch f.Kind {
		case Text:
			c.bin = fb.(*array.StringBuilder).BinaryBuilder
		case Binary:
			c.bin = fb.(*array.BinaryBuilder)
		case Int:
			c.i64 = fb.(*array.Int64Builder)
		case Bool:
			c.bl = fb.(*array.BooleanBuilder)
		case Date:
			c.d32 = fb.(*array.Date32Builder)
		case Timestamp:
			c.ts = fb.(*array.TimestampBuilder)
		case Decimal:
			c.dec = fb.(*array.Decimal128Builder)
		}
		b.cols[i] = c
	}
	return b
}

// Reserve makes room for rows rows now and after each NewRecord, so that
// record batches of a known size are built without growing buffers.
func (b *Builder) Reserve(rows int) {
	b.reserve = rows
	b.rb.Reserve(rows)
}

// Len is the number of rows appended since the last NewRecord.
func (b *Builder) Len() int { return b.rows }

// Append adds one row; it must have one value per column of the schema.
func (b *Builder) Append(r Row) error {
	if len(r) != len(b.schema.Fields) {
		return fmt.Errorf("schemas: %s: row has %d values, want %d", b.schema.ID(), len(r), len(b.schema.Fields))
	}
	for i := range b.cols {
		v, c := r[i], &b.cols[i]
		if !v.Set {
			c.any.AppendNull()
			continue
		}
		switch c.kind {
		case Text, Binary:
			c.bin.AppendString(v.Str)
		case Int:
			c.i64.Append(v.Num)
		case Bool:
			c.bl.Append(v.Num != 0)
		case Date:
			c.d32.Append(arrow.Date32(v.Num))
		case Timestamp:
			c.ts.Append(arrow.Timestamp(v.Num))
		case Decimal:
			c.dec.Append(decimal128.FromI64(v.Num))
		}
	}
	b.rows++
	return nil
}

// NewRecord returns the rows appended so far as a record batch and resets
// the builder. The caller releases the batch.
func (b *Builder) NewRecord() arrow.RecordBatch {
	if b.reserve > 0 {
		// Text and binary values of the next batch will take about as
		// many bytes as this one's: reserve them now rather than grow
		// (and copy) the buffers step by step.
		for i := range b.cols {
			if c := &b.cols[i]; c.bin != nil {
				c.dataHint = c.bin.DataLen()
			}
		}
	}
	b.rows = 0
	rec := b.rb.NewRecordBatch()
	if b.reserve > 0 {
		b.rb.Reserve(b.reserve)
		for i := range b.cols {
			if c := &b.cols[i]; c.bin != nil && c.dataHint > 0 {
				c.bin.ReserveData(c.dataHint + c.dataHint/8)
			}
		}
	}
	return rec
}

// Release frees the builder's buffers.
func (b *Builder) Release() { b.rb.Release() }
