package hl7

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// frames cuts s with a framer reading through r, one byte at a time when
// slow is set, and describes each frame as KIND@LINE:first-bytes.
func frames(t *testing.T, s string, max int, slow bool) []string {
	t.Helper()
	var r io.Reader = strings.NewReader(s)
	if slow {
		r = iotest.OneByteReader(r)
	}
	f := NewFramer(r, max)
	var out []string
	for {
		fr, err := f.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		head := string(fr.Raw)
		if len(head) > 10 {
			head = head[:10]
		}
		d := fmt.Sprintf("%s@%d:%q", fr.Kind, fr.Line, head)
		if fr.Truncated() {
			d += fmt.Sprintf(" truncated(%d)", fr.Size)
		}
		out = append(out, d)
	}
}

func TestFramer(t *testing.T) {
	const a = "MSH|^~\\&|A\rPID|1\r"
	const b = "MSH|^~\\&|B\rPID|2\r"
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"one", a, `message@1:"MSH|^~\\&|A"`},
		{"two CR", a + b, `message@1:"MSH|^~\\&|A" message@3:"MSH|^~\\&|B"`},
		{"two LF with gap", "MSH|^~\\&|A\nPID|1\n\n\nMSH|^~\\&|B\n", `message@1:"MSH|^~\\&|A" message@5:"MSH|^~\\&|B"`},
		{"CRLF", "MSH|^~\\&|A\r\nPID|1\r\nMSH|^~\\&|B\r\n", `message@1:"MSH|^~\\&|A" message@3:"MSH|^~\\&|B"`},
		{"BOM", "\xEF\xBB\xBF" + a, `message@1:"MSH|^~\\&|A"`},
		{"batch", "FHS|^~\\&\rBHS|^~\\&\r" + a + b + "BTS|2\rFTS|1\r",
			`batch segment@1:"FHS|^~\\&" batch segment@2:"BHS|^~\\&" message@3:"MSH|^~\\&|A" message@5:"MSH|^~\\&|B" batch segment@7:"BTS|2" batch segment@8:"FTS|1"`},
		{"MLLP", "\x0b" + a + "\x1c\r\x0b" + b + "\x1c\r", `message@1:"MSH|^~\\&|A" message@4:"MSH|^~\\&|B"`},
		{"MLLP no CR before end", "\x0bMSH|^~\\&|A\rPID|1\x1c\r", `message@1:"MSH|^~\\&|A"`},
		{"junk before", "// comment\r\n" + a, `junk@1:"// comment" message@2:"MSH|^~\\&|A"`},
		{"junk after blank", a + "\r/* note */\r" + b, `message@1:"MSH|^~\\&|A" junk@4:"/* note */" message@5:"MSH|^~\\&|B"`},
		{"segments after blank", "MSH|^~\\&|A\n\nPID|1\n\nPV1|1\n", `message@1:"MSH|^~\\&|A"`},
		{"wrapped line stays", "MSH|^~\\&|A\nPID|1|x\nwrapped\n", `message@1:"MSH|^~\\&|A"`},
		{"spaces only", "   \n" + a, `message@2:"MSH|^~\\&|A"`},
		{"empty", "", ``},
		{"MSHX is not MSH", "MSHX|1\r", `junk@1:"MSHX|1\r"`},
	}
	for _, tc := range tests {
		for _, slow := range []bool{false, true} {
			got := strings.Join(frames(t, tc.in, 0, slow), " ")
			if got != tc.want {
				t.Errorf("%s (slow %v):\n got %s\nwant %s", tc.name, slow, got, tc.want)
			}
		}
	}
}

func TestFramerWholeMessage(t *testing.T) {
	in := "\x0bMSH|^~\\&|A\rPID|1\r\x1c\rMSH|^~\\&|B\nPID|2\n"
	f := NewFramer(strings.NewReader(in), 0)
	var got []string
	for {
		fr, err := f.Next()
		if err != nil {
			break
		}
		got = append(got, string(fr.Raw))
	}
	want := []string{"MSH|^~\\&|A\rPID|1\r", "MSH|^~\\&|B\nPID|2\n"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("frames %q, want %q", got, want)
	}
}

func TestFramerBoundedMemory(t *testing.T) {
	big := "MSH|^~\\&|A\rOBX|1|ED|X||" + strings.Repeat("A", 3<<20) + "\r"
	in := big + "MSH|^~\\&|B\rPID|2\r"
	got := frames(t, in, 1<<20, false)
	if len(got) != 2 || !strings.Contains(got[0], "truncated(") || !strings.HasPrefix(got[1], `message@3:"MSH|^~\\&|B"`) {
		t.Errorf("frames = %q", got)
	}
	f := NewFramer(strings.NewReader(in), 1<<20)
	for {
		if _, err := f.Next(); err != nil {
			break
		}
		if c := cap(f.buf); c > 4<<20 {
			t.Fatalf("buffer grew to %d bytes with a 1 MiB limit", c)
		}
	}
}

type failReader struct{ n int }

func (r *failReader) Read(p []byte) (int, error) {
	if r.n == 0 {
		return 0, errors.New("disk on fire")
	}
	r.n--
	return copy(p, "MSH|^~\\&|A\rPID|1\r"), nil
}

func TestFramerReadError(t *testing.T) {
	f := NewFramer(&failReader{n: 2}, 0)
	var err error
	for err == nil {
		_, err = f.Next()
	}
	if errors.Is(err, io.EOF) || !strings.Contains(err.Error(), "disk on fire") {
		t.Errorf("err = %v, want the read error", err)
	}
}

// TestFramerLimitWithinOneRead checks the limit where a frame over it
// ends inside bytes already read: it used to be kept whole.
func TestFramerLimitWithinOneRead(t *testing.T) {
	for _, size := range []int{1025, 10 << 10, 100 << 10, 3 << 20} {
		big := "MSH|^~\\&|A\rOBX|1|ED|X||" + strings.Repeat("A", size) + "\r"
		in := "MSH|^~\\&|0\rPID|0\r" + big + "MSH|^~\\&|B\rPID|2\r"
		for _, slow := range []bool{false, true} {
			if slow && size > 100<<10 {
				continue
			}
			got := frames(t, in, 1024, slow)
			if len(got) != 3 || strings.Contains(got[0], "truncated") || !strings.Contains(got[1], "truncated(") ||
				!strings.HasPrefix(got[2], `message@5:"MSH|^~\\&|B"`) || strings.Contains(got[2], "truncated") {
				t.Errorf("size %d slow %v: frames = %q", size, slow, got)
			}
		}
		f := NewFramer(strings.NewReader(in), 1024)
		for {
			fr, err := f.Next()
			if err != nil {
				break
			}
			if len(fr.Raw) > 1024 {
				t.Errorf("size %d: frame at line %d holds %d bytes with a 1024-byte limit", size, fr.Line, len(fr.Raw))
			}
			if c := cap(f.buf); c > 1024+4*readChunk {
				t.Fatalf("size %d: buffer grew to %d bytes with a 1024-byte limit", size, c)
			}
		}
	}
}
