package exec

import (
	"bufio"
	"context"
	stdcsv "encoding/csv"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/healthanchor/healthanchor/connectors"
	_ "github.com/healthanchor/healthanchor/connectors/csv" // the baseline
	"github.com/healthanchor/healthanchor/connectors/csv/csvgen"
)

// benchRows is the size of the benchmarks' input.
const benchRows = 100000

// benchInput writes a generated patient CSV and the same records as the
// output of a Singer tap, and returns the folder.
func benchInput(b *testing.B) string {
	dir := b.TempDir()
	f, err := os.Create(filepath.Join(dir, "patients.csv"))
	if err != nil {
		b.Fatal(err)
	}
	if err := csvgen.Generate(f, benchRows, 1, 0); err != nil {
		b.Fatal(err)
	}
	f.Seek(0, io.SeekStart)
	out, _ := os.Create(filepath.Join(dir, "tap.jsonl"))
	w := bufio.NewWriter(out)
	r := stdcsv.NewReader(f)
	header, _ := r.Read()
	enc := json.NewEncoder(w)
	enc.Encode(map[string]any{"type": "SCHEMA", "stream": "patients", "schema": map[string]any{}, "key_properties": []string{}})
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			b.Fatal(err)
		}
		m := map[string]any{}
		for i, h := range header {
			m[h] = rec[i]
		}
		enc.Encode(map[string]any{"type": "RECORD", "stream": "patients", "record": m})
	}
	enc.Encode(map[string]any{"type": "STATE", "value": map[string]any{"done": true}})
	w.Flush()
	out.Close()
	f.Close()
	return dir
}

func benchRead(b *testing.B, c connectors.Connector) {
	ctx := context.Background()
	n := 0
	for b.Loop() {
		to, err := c.Plan(ctx, nil)
		if err != nil {
			b.Fatal(err)
		}
		if err := c.Read(ctx, nil, to, func(r connectors.Record) error {
			if r.Reject != nil {
				b.Fatalf("reject: %s", r.Reject.Reason)
			}
			n++
			return nil
		}); err != nil {
			b.Fatal(err)
		}
	}
	if n != benchRows*b.N {
		b.Fatalf("read %d records, want %d", n, benchRows*b.N)
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkExecVsCSV reads the same 100,000 patients through a tap (a
// program that only copies its prepared output, so that the connector's
// own cost is measured: spooling, fsync, replay, mapping) and from the
// CSV file by the csv connector.
func BenchmarkExecVsCSV(b *testing.B) {
	dir := benchInput(b)
	b.Run("exec", func(b *testing.B) {
		c, err := connectors.Open("exec", connectors.Options{
			"command": []any{"sh", "-c", `cat tap.jsonl`}, "stream": "patients", "spool_dir": b.TempDir(),
		}, connectors.Env{BaseDir: dir})
		if err != nil {
			b.Fatal(err)
		}
		benchRead(b, c)
	})
	b.Run("csv", func(b *testing.B) {
		c, err := connectors.Open("csv", connectors.Options{"input": "patients.csv"}, connectors.Env{BaseDir: dir})
		if err != nil {
			b.Fatal(err)
		}
		benchRead(b, c)
	})
}
