package hl7

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

func readBlocks(in string, max int, slow bool) ([]string, error) {
	var r io.Reader = strings.NewReader(in)
	if slow {
		r = iotest.OneByteReader(r)
	}
	mr := newMLLPReader(r, max)
	var out []string
	for {
		b, err := mr.next()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return out, nil
			}
			return out, err
		}
		s := string(b.Msg)
		if b.Over {
			s = "over:" + s[:3]
		}
		if b.Skipped > 0 {
			s = "skipped+" + s
		}
		out = append(out, s)
	}
}

func TestMLLPReader(t *testing.T) {
	big := "MSH" + strings.Repeat("x", 5000)
	tests := []struct {
		name, in string
		want     []string
		err      error
	}{
		{"two blocks", "\x0bMSH|a\r\x1c\r\x0bMSH|b\r\x1c\r", []string{"MSH|a\r", "MSH|b\r"}, nil},
		{"no CR after 0x1C, LF between", "\x0bA\x1c\n\x0bB\x1c", []string{"A", "B"}, nil},
		{"empty block", "\x0b\x1c\r", []string{""}, nil},
		{"noise before a block", "junk\x0bA\x1c\r", []string{"skipped+A"}, nil},
		{"over the limit, then a normal one", "\x0b" + big + "\x1c\r\x0bB\x1c\r", []string{"over:MSH", "B"}, nil},
		{"cut inside a block", "\x0bMSH|a", nil, io.ErrUnexpectedEOF},
		{"noise then close", "\x0bA\x1c\rzz", []string{"A"}, errMLLPJunk},
	}
	for _, tt := range tests {
		for _, slow := range []bool{false, true} {
			got, err := readBlocks(tt.in, 1024, slow)
			if !errors.Is(err, tt.err) || strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("%s (slow %v): got %q, %v; want %q, %v", tt.name, slow, got, err, tt.want, tt.err)
			}
		}
	}
}

// FuzzMLLPReader checks that the reader never keeps more than the limit
// and a bufio buffer, that sizes add up, and that framing what it read
// again reads the same.
func FuzzMLLPReader(f *testing.F) {
	f.Add([]byte("\x0bMSH|^~\\&|A\r\x1c\r\x0bMSH|b\x1c\r"), 16)
	f.Add([]byte("x\x0b\x0b\x1c\x1c\r\r\n\x0b"), 1)
	f.Fuzz(func(t *testing.T, in []byte, max int) {
		max = 1 + abs(max)%4096
		r := newMLLPReader(bytes.NewReader(in), max)
		var again bytes.Buffer
		var msgs []string
		for {
			b, err := r.next()
			if err != nil {
				break
			}
			if len(b.Msg) > max+mllpHead || (!b.Over && len(b.Msg) != b.Size) || (b.Over && b.Size <= max) {
				t.Fatalf("block of %d bytes (over %v) kept %d with limit %d", b.Size, b.Over, len(b.Msg), max)
			}
			if bytes.IndexByte(b.Msg, mllpEnd) >= 0 {
				t.Fatalf("a block holds 0x1C")
			}
			if !b.Over {
				msgs = append(msgs, string(b.Msg))
				again.WriteByte(mllpStart)
				again.Write(b.Msg)
				again.Write([]byte{mllpEnd, mllpCR})
			}
		}
		r2 := newMLLPReader(&again, max)
		for i, want := range msgs {
			b, err := r2.next()
			if err != nil || string(b.Msg) != want {
				t.Fatalf("block %d read again: %q, %v; want %q", i, b.Msg, err, want)
			}
		}
	})
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
