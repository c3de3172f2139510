package schemas

import (
	"fmt"
	"testing"
	"time"
)

func benchRecordRows(n int) *Builder {
	b := NewBuilder(Patient, nil)
	for i := 0; i < n; i++ {
		r := Patient.NewRow()
		r[IdxSalt] = TextValue("0123456789abcdef")
		r[IdxSource] = TextValue("his-export")
		r[IdxSourceRef] = TextValue(fmt.Sprintf("inbox/csv/patients-2026-11-24.csv:%d", i+2))
		r[Patient.Index("patient_id")] = TextValue(fmt.Sprintf("P%08d", i))
		r[Patient.Index("family_name")] = TextValue("Lefèvre-Dupont")
		r[Patient.Index("given_name")] = TextValue("Zoé \"Zo\"")
		r[Patient.Index("birth_date")] = DateValue(time.Date(1970+i%50, 3, 1, 0, 0, 0, 0, time.UTC))
		r[Patient.Index("sex")] = TextValue("F")
		r[Patient.Index("address")] = TextValue("12, rue des Lilas")
		r[Patient.Index("city")] = TextValue("Besançon")
		r[Patient.Index("postal_code")] = TextValue("25000")
		r[Patient.Index("country")] = TextValue("FR")
		r[Patient.Index("phone")] = TextValue("+33 3 81 00 00 00")
		r[Patient.Index("updated_at")] = TimestampValue(time.Date(2026, 11, 24, 2, 0, i%60, 0, time.UTC))
		if err := b.Append(r); err != nil {
			panic(err)
		}
	}
	return b
}

// BenchmarkLeafEncode measures building the canonical record and leaf
// hash of patient rows from an Arrow record batch.
func BenchmarkLeafEncode(b *testing.B) {
	const rows = 4096
	builder := benchRecordRows(rows)
	rec := builder.NewRecord()
	defer rec.Release()
	enc, err := NewLeafEncoder(Patient.Arrow())
	if err != nil {
		b.Fatal(err)
	}
	var buf []byte
	var total int64
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		be := enc.Batch(rec)
		for r := 0; r < rows; r++ {
			buf, err = be.AppendRow(buf[:0], r)
			if err != nil {
				b.Fatal(err)
			}
			total += int64(len(buf))
			LeafHash(buf)
		}
	}
	b.SetBytes(total / int64(b.N))
	b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkBuilderAppend measures appending typed rows to Arrow builders.
func BenchmarkBuilderAppend(b *testing.B) {
	src := benchRecordRows(1)
	rec := src.NewRecord()
	rec.Release()
	row := Patient.NewRow()
	row[Patient.Index("patient_id")] = TextValue("P00000001")
	row[Patient.Index("family_name")] = TextValue("Lefèvre-Dupont")
	row[Patient.Index("updated_at")] = TimestampValue(time.Now())
	bl := NewBuilder(Patient, nil)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		bl.Append(row)
		if bl.Len() == 8192 {
			bl.NewRecord().Release()
		}
	}
}
