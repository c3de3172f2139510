package csvgen

import (
	"bytes"
	"encoding/csv"
	"io"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestGenerateDeterministic(t *testing.T) {
	var a, b, c bytes.Buffer
	if err := Generate(&a, 500, 7, 0.1); err != nil {
		t.Fatal(err)
	}
	_ = Generate(&b, 500, 7, 0.1)
	_ = Generate(&c, 500, 8, 0.1)
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("same seed gave different output")
	}
	if bytes.Equal(a.Bytes(), c.Bytes()) {
		t.Error("different seeds gave the same output")
	}
}

// TestGenerateShape parses the output with encoding/csv: every good row
// has the header's 12 fields and a YYYY-MM-DD birth date, the bad ones are
// about the fraction asked for, and the text is UTF-8.
func TestGenerateShape(t *testing.T) {
	const rows = 20000
	for _, frac := range []float64{0, 0.05} {
		var buf bytes.Buffer
		if err := Generate(&buf, rows, 42, frac); err != nil {
			t.Fatal(err)
		}
		if !utf8.Valid(buf.Bytes()) {
			t.Fatal("output is not UTF-8")
		}
		if per := buf.Len() / rows; per < 160 || per > 240 {
			t.Errorf("%d bytes a row, want about 200", per)
		}
		r := csv.NewReader(&buf)
		r.FieldsPerRecord = -1
		head, err := r.Read()
		if err != nil || strings.Join(head, ",")+"\n" != Header {
			t.Fatalf("header %v, %v", head, err)
		}
		n, bad, multiline := 0, 0, 0
		for {
			rec, err := r.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			n++
			if strings.Contains(rec[5], "\n") {
				multiline++
			}
			if len(rec) != 12 {
				bad++
				continue
			}
			if _, err := time.Parse("2006-01-02", rec[3]); err != nil {
				bad++
			}
		}
		if n != rows {
			t.Errorf("%d rows, want %d", n, rows)
		}
		if want := frac * rows; float64(bad) < want*0.8 || float64(bad) > want*1.2 {
			t.Errorf("fraction %g: %d bad rows, want about %.0f", frac, bad, want)
		}
		if multiline == 0 {
			t.Error("no address spans two lines")
		}
	}
}

func TestGenerateArgs(t *testing.T) {
	if err := Generate(io.Discard, 1, 1, 1.5); err == nil || !strings.HasPrefix(err.Error(), "csvgen: ") {
		t.Errorf("bad fraction 1.5: %v", err)
	}
}

func BenchmarkGenerate(b *testing.B) {
	const rows = 100000
	var cw countWriter
	for b.Loop() {
		if err := Generate(&cw, rows, 1, 0.01); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(cw.n / int64(b.N))
	b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
}

type countWriter struct{ n int64 }

func (c *countWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }
