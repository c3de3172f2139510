package exec

import (
	"bytes"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"
)

// checkLines runs checkOutput over a spool holding input with lines
// bounded by maxLine (which also makes its chunks that small), reading it
// back in pieces, and returns what it found and what the spool holds then.
func checkLines(t *testing.T, input string, maxLine int) (spooled, []byte, error) {
	t.Helper()
	c := &Connector{cfg: Config{Stream: "s", MaxLineBytes: maxLine}}
	f, src := spoolFiles(t, input)
	var out spooled
	err := c.checkOutput(iotest.HalfReader(src), f, &out)
	got, rerr := os.ReadFile(f.Name())
	if rerr != nil {
		t.Fatal(rerr)
	}
	return out, got, err
}

// spoolFiles creates a spool holding input and opens it twice, as a tap's
// run does: w to write it (the tap's stdout), r to read it back. Both are
// closed when the test ends.
func spoolFiles(t *testing.T, input string) (w, r *os.File) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "spool")
	if err := os.WriteFile(path, []byte(input), 0o600); err != nil {
		t.Fatal(err)
	}
	w, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	r, err = os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return w, r
}

func records(n int) string {
	var b strings.Builder
	b.WriteString(`{"type":"SCHEMA","stream":"s","schema":{}}` + "\n")
	for i := range n {
		fmt.Fprintf(&b, `{"type":"RECORD","stream":"s","record":{"id":"%d","pad":"%s"}}`+"\n", i, strings.Repeat("x", i%97))
		if i%100 == 50 {
			fmt.Fprintf(&b, `{"type":"RECORD","stream":"other","record":{}}`+"\n")
			fmt.Fprintf(&b, `{"type":"STATE","value":{"at":%d}}`+"\n", i)
		}
	}
	return b.String()
}

// The spool is the input byte for byte over many chunks, its checksum is
// of those bytes, and the counts and last state are the input's.
func TestCheckOutputManyChunks(t *testing.T) {
	input := records(2000) + `{"type":"STATE","value":{"at":"end"}}` // no newline at the end
	out, got, err := checkLines(t, input, 300)
	if err != nil {
		t.Fatal(err)
	}
	if want := input + "\n"; !bytes.Equal(got, []byte(want)) {
		t.Fatalf("spool differs from the input (%d bytes, want %d)", len(got), len(want))
	}
	if out.size != int64(len(got)) || out.crc32c != crc32.Checksum(got, castagnoli) {
		t.Errorf("size %d crc %08x, want %d %08x", out.size, out.crc32c, len(got), crc32.Checksum(got, castagnoli))
	}
	if out.records != 2000 || string(out.state) != `{"at":"end"}` {
		t.Errorf("records %d, state %s; want 2000, {\"at\":\"end\"}", out.records, out.state)
	}
}

// A bad line is named by its number, however far into the output and
// whichever chunk holds it.
func TestCheckOutputNamesTheBadLine(t *testing.T) {
	lines := strings.SplitAfter(records(1500), "\n")
	for _, tc := range []struct {
		name, line, want string
		max              int
	}{
		{"garbage", "not json\n", "line 777 is not a JSON message", 300},
		{"no type", `{"stream":"s"}` + "\n", "line 777 has no message type", 300},
		{"too long", `{"type":"RECORD","x":"` + strings.Repeat("y", 400) + `"}` + "\n", "line 777 is longer than max_line_bytes (300)", 300},
		{"too long, larger chunks", `{"type":"RECORD","x":"` + strings.Repeat("y", 400) + `"}` + "\n", "line 777 is longer than max_line_bytes (301)", 301},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bad := append(append(append([]string(nil), lines[:776]...), tc.line), lines[776:]...)
			_, _, err := checkLines(t, strings.Join(bad, ""), tc.max)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want %q", err, tc.want)
			}
		})
	}
}

// A line of exactly max_line_bytes is taken; the empty output spools
// nothing.
func TestCheckOutputBounds(t *testing.T) {
	line := `{"type":"STATE","value":"` + strings.Repeat("z", 100) + `"}`
	out, got, err := checkLines(t, line+"\n", len(line))
	if err != nil || string(got) != line+"\n" || out.state == nil {
		t.Fatalf("a line of exactly max_line_bytes: %v, %q", err, got)
	}
	out, got, err = checkLines(t, "", 300)
	if err != nil || len(got) != 0 || out.size != 0 {
		t.Fatalf("empty output: %v, %d bytes", err, len(got))
	}
	if _, _, err := checkLines(t, strings.Repeat("x", 1000), 300); err == nil || !strings.Contains(err.Error(), "line 1 is longer") {
		t.Fatalf("one long line without a newline: %v", err)
	}
}
