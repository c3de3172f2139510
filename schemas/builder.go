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
	rows    int
	reserve int // rows to make room for after each NewRecord
}

// NewBuilder returns a builder for schema s using allocator mem (nil for the default).
func NewBuilder(s *Schema, mem memory.Allocator) *Builder {
	if mem == nil {
		mem = memory.DefaultAllocator
	}
	return &Builder{schema: s, rb: array.NewRecordBuilder(mem, s.Arrow())}
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
	for i, f := range b.schema.Fields {
		v := r[i]
		fb := b.rb.Field(i)
		if !v.Set {
			fb.AppendNull()
			continue
		}
		switch f.Kind {
		case Text:
			fb.(*array.StringBuilder).Append(v.Str)
		case Binary:
			fb.(*array.BinaryBuilder).AppendString(v.Str)
		case Int:
			fb.(*array.Int64Builder).Append(v.Num)
		case Bool:
			fb.(*array.BooleanBuilder).Append(v.Num != 0)
		case Date:
			fb.(*array.Date32Builder).Append(arrow.Date32(v.Num))
		case Timestamp:
			fb.(*array.TimestampBuilder).Append(arrow.Timestamp(v.Num))
		case Decimal:
			fb.(*array.Decimal128Builder).Append(decimal128.FromI64(v.Num))
		}
	}
	b.rows++
	return nil
}

// NewRecord returns the rows appended so far as a record batch and resets
// the builder. The caller releases the batch.
func (b *Builder) NewRecord() arrow.RecordBatch {
	b.rows = 0
	rec := b.rb.NewRecordBatch()
	if b.reserve > 0 {
		b.rb.Reserve(b.reserve)
	}
	return rec
}

// Release frees the builder's buffers.
func (b *Builder) Release() { b.rb.Release() }
