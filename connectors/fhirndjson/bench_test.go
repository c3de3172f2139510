package fhirndjson

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/healthanchor/healthanchor/connectors"
)

// BenchmarkRead reads 30,000 resources (a third each Patient, Encounter
// and Observation, made from the example export's good lines) through
// Plan and Read, reporting rows/s and MB/s.
func BenchmarkRead(b *testing.B) {
	const copies = 10000
	dir := b.TempDir()
	var size int64
	for _, typ := range []string{"Patient", "Encounter", "Observation"} {
		src, err := os.ReadFile("testdata/export/" + typ + ".000.ndjson")
		if err != nil {
			b.Fatal(err)
		}
		first := src[:bytes.IndexByte(src, '\n')]
		f, _ := os.Create(filepath.Join(dir, typ+".000.ndjson"))
		w := bufio.NewWriter(f)
		for i := 0; i < copies; i++ {
			line := bytes.Replace(first, []byte(`"id":"`), []byte(fmt.Sprintf(`"id":"%d-`, i)), 1)
			w.Write(line)
			w.WriteByte('\n')
			size += int64(len(line) + 1)
		}
		w.Flush()
		f.Close()
	}
	c, err := connectors.Open("fhir-ndjson", connectors.Options{"input": "*.ndjson"}, connectors.Env{BaseDir: dir})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.SetBytes(size)
	n := 0
	for b.Loop() {
		to, err := c.Plan(ctx, nil)
		if err != nil {
			b.Fatal(err)
		}
		if err := c.Read(ctx, nil, to, func(r connectors.Record) error {
			if r.Reject != nil {
				b.Fatal(r.Reject.Reason)
			}
			n++
			return nil
		}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "rows/s")
}
