package csv

import (
	"math/rand"
	"testing"
)

// TestIndexDelimOrNL checks the word-at-a-time search against a byte loop
// on random slices of every length up to 40 and every offset of the first
// hit, with bytes just above and below the ones sought around it.
func TestIndexDelimOrNL(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	// Mostly near misses, so that the first hit falls anywhere in b.
	alphabet := []byte{'a', '\v', '\t' + 1, ',' - 1, ',' + 1, ';' + 1, '|' - 1, 0x80, 0xff, 0x00, 0x01, 0x8a, 0xac}
	for _, delim := range []byte{',', ';', '\t', '|'} {
		for n := 0; n <= 40; n++ {
			for round := 0; round < 200; round++ {
				b := make([]byte, n)
				for i := range b {
					b[i] = alphabet[rng.Intn(len(alphabet))]
					if rng.Intn(30) == 0 {
						b[i] = []byte{',', ';', '\t', '|', '\n'}[rng.Intn(5)]
					}
				}
				want := len(b)
				for i, c := range b {
					if c == delim || c == '\n' {
						want = i
						break
					}
				}
				if got := indexDelimOrNL(b, delim); got != want {
					t.Fatalf("indexDelimOrNL(%q, %q) = %d, want %d", b, delim, got, want)
				}
			}
		}
	}
}
