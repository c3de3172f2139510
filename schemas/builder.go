package schemas

import (
	"fmt"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Builder accumulates rows of one schema into Arrow record batches. It
// writes each column's Arrow buffers (validity bitmap, offsets, values)
// directly, which costs a fraction of Arrow's generic builders per value.
type Builder struct {
	schema  *Schema
	mem     memory.Allocator
	cols    []column
	rows    int // rows appended since the last NewRecord
	cap     int // rows the buffers have room for
	reserve int // rows to make room for after each NewRecord
}

// column holds the buffers of one column of the batch being built.
type column struct {
	kind  Kind
	dtype arrow.DataType
	valid *memory.Buffer // validity bitmap, one bit a row
	nulls int

	// Text and Binary: int32 offsets (rows+1) and the value bytes.
	offsets *memory.Buffer
	data    *memory.Buffer
	dataLen int
	// Bytes of the last batch's values, to reserve for the next one.
	dataHint int

	// Other kinds: fixed-width values (a bitmap for Bool).
	values *memory.Buffer
}

// NewBuilder returns a builder for schema s using allocator mem (nil for the default).
func NewBuilder(s *Schema, mem memory.Allocator) *Builder {
	if mem == nil {
		mem = memory.DefaultAllocator
	}
	b := &Builder{schema: s, mem: mem, cols: make([]column, len(s.Fields))}
	for i, f := range s.Fields {
		b.cols[i] = column{kind: f.Kind, dtype: s.Arrow().Field(i).Type}
	}
	return b
}

// Reserve makes room for rows rows now and after each NewRecord, so that
// record batches of a known size are built without growing buffers.
func (b *Builder) Reserve(rows int) {
	b.reserve = rows
	if rows > b.cap {
		b.grow(rows)
	}
}

// Len is the number of rows appended since the last NewRecord.
func (b *Builder) Len() int { return b.rows }

// width is the bytes a value of a fixed-width kind takes.
func width(k Kind) int {
	switch k {
	case Int, Timestamp:
		return 8
	case Date:
		return 4
	case Decimal:
		return 16
	}
	return 0
}

// grow makes room for rows rows in every column, keeping what is there.
func (b *Builder) grow(rows int) {
	for i := range b.cols {
		c := &b.cols[i]
		c.valid = reserve(b.mem, c.valid, int(bitutil.BytesForBits(int64(rows))))
		switch c.kind {
		case Text, Binary:
			c.offsets = reserve(b.mem, c.offsets, (rows+1)*4)
			want := c.dataHint + c.dataHint/8
			if c.data == nil || c.data.Cap() < want {
				c.data = reserve(b.mem, c.data, max(want, 64))
			}
		case Bool:
			c.values = reserve(b.mem, c.values, int(bitutil.BytesForBits(int64(rows))))
		default:
			c.values = reserve(b.mem, c.values, rows*width(c.kind))
		}
	}
	b.cap = rows
}

// reserve returns buf (a new buffer when nil) with room for n bytes.
func reserve(mem memory.Allocator, buf *memory.Buffer, n int) *memory.Buffer {
	if buf == nil {
		buf = memory.NewResizableBuffer(mem)
	}
	buf.Reserve(n)
	return buf
}

// Append adds one row; it must have one value per column of the schema.
func (b *Builder) Append(r Row) error {
	if len(r) != len(b.cols) {
		return fmt.Errorf("schemas: %s: row has %d values, want %d", b.schema.ID(), len(r), len(b.cols))
	}
	if b.rows == b.cap {
		b.grow(max(2*b.cap, 1024))
	}
	n := b.rows
	for i := range b.cols {
		v, c := r[i], &b.cols[i]
		if c.kind == Text || c.kind == Binary {
			if c.dataLen+len(v.Str) > math.MaxInt32 {
				return fmt.Errorf("schemas: %s: column %s: more than 2 GiB of values in one record batch", b.schema.ID(), b.schema.Fields[i].Name)
			}
			c.appendBytes(n, v)
			continue
		}
		if !v.Set {
			c.nulls++
			continue
		}
		bitutil.SetBit(c.valid.Buf(), n)
		switch c.kind {
		case Int, Timestamp:
			arrow.Int64Traits.CastFromBytes(c.values.Buf())[n] = v.Num
		case Date:
			arrow.Int32Traits.CastFromBytes(c.values.Buf())[n] = int32(v.Num)
		case Bool:
			if v.Num != 0 {
				bitutil.SetBit(c.values.Buf(), n)
			}
		case Decimal:
			arrow.Decimal128Traits.CastFromBytes(c.values.Buf())[n] = decimal128.FromI64(v.Num)
		}
	}
	b.rows++
	return nil
}

// appendBytes sets row n of a text or binary column: its end offset, and
// its bytes and validity bit when set.
func (c *column) appendBytes(n int, v Value) {
	if v.Set {
		bitutil.SetBit(c.valid.Buf(), n)
		end := c.dataLen + len(v.Str)
		if end > c.data.Cap() {
			c.data.Reserve(max(end, 2*c.data.Cap()))
		}
		copy(c.data.Buf()[c.dataLen:end], v.Str)
		c.dataLen = end
	} else {
		c.nulls++
	}
	arrow.Int32Traits.CastFromBytes(c.offsets.Buf())[n+1] = int32(c.dataLen)
}

// NewRecord returns the rows appended so far as a record batch and resets
// the builder. The caller releases the batch.
func (b *Builder) NewRecord() arrow.RecordBatch {
	n := b.rows
	arrays := make([]arrow.Array, len(b.cols))
	for i := range b.cols {
		c := &b.cols[i]
		c.valid.ResizeNoShrink(int(bitutil.BytesForBits(int64(n))))
		var bufs []*memory.Buffer
		switch c.kind {
		case Text, Binary:
			c.offsets.ResizeNoShrink((n + 1) * 4)
			c.data.ResizeNoShrink(c.dataLen)
			bufs = []*memory.Buffer{c.valid, c.offsets, c.data}
			c.dataHint = c.dataLen
		case Bool:
			c.values.ResizeNoShrink(int(bitutil.BytesForBits(int64(n))))
			bufs = []*memory.Buffer{c.valid, c.values}
		default:
			c.values.ResizeNoShrink(n * width(c.kind))
			bufs = []*memory.Buffer{c.valid, c.values}
		}
		data := array.NewData(c.dtype, n, bufs, nil, c.nulls, 0)
		arrays[i] = array.MakeFromData(data)
		data.Release()
		// The batch holds the buffers now; the next one gets new ones.
		for _, buf := range bufs {
			buf.Release()
		}
		*c = column{kind: c.kind, dtype: c.dtype, dataHint: c.dataHint}
	}
	rec := array.NewRecordBatch(b.schema.Arrow(), arrays, int64(n))
	for _, a := range arrays {
		a.Release()
	}
	b.rows, b.cap = 0, 0
	b.grow(max(b.reserve, 1))
	return rec
}

// Release frees the builder's buffers.
func (b *Builder) Release() {
	for i := range b.cols {
		c := &b.cols[i]
		for _, buf := range []*memory.Buffer{c.valid, c.offsets, c.data, c.values} {
			if buf != nil {
				buf.Release()
			}
		}
		*c = column{kind: c.kind, dtype: c.dtype}
	}
	b.rows, b.cap = 0, 0
}
