package csv

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/healthanchor/healthanchor/connectors"
	"github.com/healthanchor/healthanchor/connectors/csv/csvgen"
)

// BenchmarkRead reads a generated 100,000-row patient file (1% bad rows)
// through Plan and Read, reporting MB/s and rows/s.
func BenchmarkRead(b *testing.B) {
	const rows = 100000
	dir := b.TempDir()
	f, err := os.Create(filepath.Join(dir, "patients.csv"))
	if err != nil {
		b.Fatal(err)
	}
	if err := csvgen.Generate(f, rows, 1, 0.01); err != nil {
		b.Fatal(err)
	}
	st, _ := f.Stat()
	f.Close()
	c := openOpts(b, dir, connectors.Options{"input": "patients.csv"})
	ctx := context.Background()
	b.SetBytes(st.Size())
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		to, err := c.Plan(ctx, nil)
		if err != nil {
			b.Fatal(err)
		}
		if err := c.Read(ctx, nil, to, func(connectors.Record) error { n++; return nil }); err != nil {
			b.Fatal(err)
		}
	}
	if n != rows*b.N {
		b.Fatalf("read %d records, want %d", n, rows*b.N)
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkTokenize splits a generated 100,000-row patient file, held in
// memory, into records and fields: the tokenizer alone, without the
// digest pass, conversion or rows.
func BenchmarkTokenize(b *testing.B) {
	var buf bytes.Buffer
	if err := csvgen.Generate(&buf, 100000, 1, 0.01); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		r := newReader(bytes.NewReader(data), ',', '"', 1<<20)
		for {
			if _, err := r.next(); err == io.EOF {
				break
			} else if err != nil {
				b.Fatal(err)
			}
		}
	}
}
