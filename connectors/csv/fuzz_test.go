package csv

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/healthanchor/healthanchor/connectors"
)

// FuzzRead feeds arbitrary bytes to the record reader and to the whole
// file path, checking that nothing panics and that every record's raw
// bytes are exactly the input at its offset, its line is the input's line
// there, and only line ends lie between records.
func FuzzRead(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join(samples, "*.[ct]sv"))
	for _, s := range seeds {
		b, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, byte(','), byte('"'))
		f.Add(b, byte(';'), byte(0))
	}
	f.Add([]byte("a,\"b\r\n\"\"c\"\r\n\r\n,\n\"x\"y\n"), byte(','), byte('\''))
	f.Fuzz(func(t *testing.T, in []byte, delim, quote byte) {
		switch delim {
		case ',', ';', '|', '\t':
		default:
			delim = ','
		}
		if quote == delim || quote == '\n' || quote == '\r' {
			quote = '"'
		}
		const max = 256
		r := newReader(bytes.NewReader(in), delim, quote, max)
		if _, err := r.skipBOM(); err != nil {
			t.Fatal(err)
		}
		prevEnd := int64(0)
		if bytes.HasPrefix(in, bom) {
			prevEnd = int64(len(bom))
		}
		for n := 0; ; n++ {
			rec, err := r.next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			if n > len(in) {
				t.Fatal("more records than input bytes")
			}
			if rec.offset < prevEnd || rec.offset > int64(len(in)) {
				t.Fatalf("record %d at offset %d, previous ended at %d", n, rec.offset, prevEnd)
			}
			if gap := strings.Trim(string(in[prevEnd:rec.offset]), "\r\n"); gap != "" {
				t.Fatalf("record %d: skipped %q", n, gap)
			}
			if want := 1 + bytes.Count(in[:rec.offset], []byte("\n")); rec.line != want {
				t.Fatalf("record %d: line %d, want %d", n, rec.line, want)
			}
			end := rec.offset + int64(len(rec.raw))
			if !bytes.Equal(in[rec.offset:end], rec.raw) {
				t.Fatalf("record %d: raw %q is not the input at %d", n, rec.raw, rec.offset)
			}
			if len(rec.raw) == max {
				return // cut: the rest is not checked
			}
			// The connector checks UTF-8 once a record, on its raw bytes,
			// and trusts every field of a valid record: true as long as the
			// quote is ASCII, as its configuration requires.
			if quote < utf8.RuneSelf && utf8.Valid(rec.raw) {
				for i, f := range rec.fields {
					if !utf8.ValidString(f) {
						t.Fatalf("record %d: raw bytes are valid UTF-8 but field %d %q is not", n, i, f)
					}
				}
			}
			if rec.err == nil && quote == 0 {
				line := strings.TrimSuffix(strings.TrimSuffix(string(rec.raw), "\n"), "\r")
				if got := strings.Join(rec.fields, string(delim)); got != line {
					t.Fatalf("record %d: fields %q do not rebuild %q", n, rec.fields, line)
				}
			}
			prevEnd = end
		}
		if gap := strings.Trim(string(in[prevEnd:]), "\r\n"); gap != "" && len(in) > 0 {
			t.Fatalf("input after the last record skipped: %q", gap)
		}

		// The whole path: rows or rejects with reasons, never a panic.
		c, err := New(Config{Input: "f.csv", Delimiter: string(delim), Quote: quoteOpt(quote), MaxRecordBytes: max}, connectors.Env{})
		if err != nil {
			t.Fatal(err)
		}
		err = c.readStream(context.Background(), "f.csv", bytes.NewReader(in), func(rec connectors.Record) error {
			if rec.Reject != nil && !strings.HasPrefix(rec.Reject.Reason, rec.SourceRef+": ") {
				t.Fatalf("reason %q does not start with %s", rec.Reject.Reason, rec.SourceRef)
			}
			if rec.Reject == nil {
				if err := c.schema.Check(rec.Row); err != nil {
					t.Fatal(err)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

func quoteOpt(q byte) string {
	if q == 0 {
		return "none"
	}
	if q <= ' ' || q >= 0x7f {
		return `"`
	}
	return string(q)
}
