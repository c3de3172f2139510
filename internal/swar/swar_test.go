package swar

import (
	"math/bits"
	"math/rand/v2"
	"testing"
)

// word returns a random word whose bytes are drawn mostly from the
// values at the edges of the tests: zero, controls, quote, backslash,
// the ASCII/non-ASCII boundary.
func word(r *rand.Rand) (uint64, [8]byte) {
	edges := []byte{0, 1, 0x1f, 0x20, 0x21, '"', '\\', 'a', 0x7f, 0x80, 0xc3, 0xff}
	var b [8]byte
	for i := range b {
		if r.IntN(2) == 0 {
			b[i] = edges[r.IntN(len(edges))]
		} else {
			b[i] = byte(r.IntN(256))
		}
	}
	return Load(b[:], 0), b
}

func TestPlainJSONMatchesBytes(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 200000 {
		x, b := word(r)
		want := true
		for _, c := range b {
			if c < 0x20 || c >= 0x80 || c == '"' || c == '\\' {
				want = false
			}
		}
		if got := PlainJSON(x); got != want {
			t.Fatalf("PlainJSON(% x) = %v, want %v", b, got, want)
		}
	}
}

func TestZeroLowestIsExact(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for range 200000 {
		x, b := word(r)
		first := -1
		for i, c := range b {
			if c == 0 {
				first = i
				break
			}
		}
		m := Zero(x)
		if first < 0 {
			if m != 0 {
				t.Fatalf("Zero(% x) = %#x, want no flag", b, m)
			}
			continue
		}
		if got := bits.TrailingZeros64(m) / 8; got != first {
			t.Fatalf("Zero(% x): lowest flag at byte %d, want %d", b, got, first)
		}
		if m&^(Highs) != 0 {
			t.Fatalf("Zero(% x) = %#x flags more than high bits", b, m)
		}
	}
}
