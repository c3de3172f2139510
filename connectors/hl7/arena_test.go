package hl7

import (
	"strconv"
	"strings"
	"testing"
)

// TestArenaStringsStayIntact hands out strings across many blocks, some
// longer than a block, and checks that none changed afterwards: a string
// from the arena is as immutable as any other.
func TestArenaStringsStayIntact(t *testing.T) {
	var a arena
	var got, want []string
	for i := range 20_000 {
		s := "v" + strconv.Itoa(i)
		if i%997 == 0 {
			s = strings.Repeat(s, arenaBlock/len(s)+1) // longer than a block
		}
		var g string
		switch i % 3 {
		case 0:
			g = a.concat(s[:1], s[1:])
		case 1:
			g = a.ref("f#1/C", s, i)
			s = "f#1/C/" + s + strconv.Itoa(i)
		default:
			a.begin(1) // a string that outgrows its block while it is built
			for j := range len(s) {
				a.buf = append(a.buf, s[j])
			}
			g = a.end()
		}
		got, want = append(got, g), append(want, s)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("string %d changed: %.40q, want %.40q", i, got[i], want[i])
		}
	}
	if s := a.concat(); s != "" {
		t.Fatalf("empty concat = %q", s)
	}
}
