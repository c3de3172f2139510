package schemas

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// allKinds has a column of every kind, each nullable but one.
var allKinds = New("allkinds", 1,
	Field{Name: "t", Kind: Text},
	Field{Name: "i", Kind: Int},
	Field{Name: "b", Kind: Bool},
	Field{Name: "d", Kind: Date},
	Field{Name: "ts", Kind: Timestamp, Required: true},
	Field{Name: "dec", Kind: Decimal, Scale: 2},
	Field{Name: "bin", Kind: Binary},
)

func randomRow(rng *rand.Rand) Row {
	r := allKinds.NewRow()
	r[IdxSchema] = TextValue(allKinds.ID())
	r[IdxSalt] = TextValue(strings.Repeat("s", rng.IntN(17)))
	r[IdxSource] = TextValue("src")
	r[IdxSourceRef] = TextValue(strings.Repeat("ref", rng.IntN(40)))
	for i := NumCommon; i < len(r); i++ {
		if !allKinds.Fields[i].Required && rng.IntN(4) == 0 {
			continue // null
		}
		switch allKinds.Fields[i].Kind {
		case Text, Binary:
			r[i] = TextValue(strings.Repeat("Zoé\x00", rng.IntN(300)))
		case Bool:
			r[i] = Value{Set: true, Num: int64(rng.IntN(2))}
		default:
			r[i] = Value{Set: true, Num: rng.Int64() - rng.Int64()}
		}
	}
	return r
}

// referenceRecord builds rows with Arrow's own generic builders.
func referenceRecord(rows []Row) arrow.RecordBatch {
	rb := array.NewRecordBuilder(memory.DefaultAllocator, allKinds.Arrow())
	defer rb.Release()
	for _, r := range rows {
		for i, v := range r {
			fb := rb.Field(i)
			if !v.Set {
				fb.AppendNull()
				continue
			}
			switch f := fb.(type) {
			case *array.StringBuilder:
				f.Append(v.Str)
			case *array.BinaryBuilder:
				f.AppendString(v.Str)
			case *array.Int64Builder:
				f.Append(v.Num)
			case *array.BooleanBuilder:
				f.Append(v.Num != 0)
			case *array.Date32Builder:
				f.Append(arrow.Date32(v.Num))
			case *array.TimestampBuilder:
				f.Append(arrow.Timestamp(v.Num))
			case *array.Decimal128Builder:
				f.Append(decimal128.FromI64(v.Num))
			}
		}
	}
	return rb.NewRecordBatch()
}

// TestBuilderMatchesArrowBuilders appends random rows of every kind, with
// nulls, through batches that outgrow their reservation and batches that
// do not fill it, and compares each batch with what Arrow's generic
// builders make of the same rows. Buffers come from a checked allocator:
// every one must be freed once the batches and the builder are released.
func TestBuilderMatchesArrowBuilders(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rng := rand.New(rand.NewPCG(3, 4))
	b := NewBuilder(allKinds, mem)
	defer b.Release()
	b.Reserve(50)
	for _, n := range []int{0, 1, 7, 50, 51, 2000, 3} {
		rows := make([]Row, n)
		for i := range rows {
			rows[i] = randomRow(rng)
			if err := b.Append(rows[i]); err != nil {
				t.Fatal(err)
			}
		}
		if b.Len() != n {
			t.Fatalf("Len %d after %d rows", b.Len(), n)
		}
		got := b.NewRecord()
		want := referenceRecord(rows)
		if !array.RecordEqual(got, want) {
			t.Fatalf("batch of %d rows differs from Arrow's builders:\ngot  %v\nwant %v", n, got, want)
		}
		for i := range got.Columns() {
			if g, w := got.Column(i).NullN(), want.Column(i).NullN(); g != w {
				t.Fatalf("batch of %d rows, column %d: %d nulls, want %d", n, i, g, w)
			}
		}
		got.Release()
		want.Release()
	}
	if err := b.Append(allKinds.NewRow()[:3]); err == nil {
		t.Error("a row with too few values was accepted")
	}
}
