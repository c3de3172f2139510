package schemas

import (
	"strings"

	"github.com/healthanchor/healthanchor/internal/swar"
)

// isControl marks the C0 control characters a text value may not hold:
// every byte below 0x20 except tab, line feed and carriage return. Bytes
// of multi-byte UTF-8 characters are all 0x80 or above, so a byte test
// is exact.
var isControl = func() (t [256]bool) {
	for c := range 0x20 {
		t[c] = c != '\t' && c != '\n' && c != '\r'
	}
	return t
}()

// ControlChar finds the first C0 control character (other than tab, LF
// and CR) in a text column of r, a row of s: it returns the column's
// index and the character's byte offset in the value, or -1, 0 when there
// is none. Common columns (_schema, source, source_ref) are not checked.
func (s *Schema) ControlChar(r Row) (col, at int) {
	for i := NumCommon; i < len(s.Fields) && i < len(r); i++ {
		if s.Fields[i].Kind != Text || !r[i].Set {
			continue
		}
		if j := controlAt(r[i].Str); j >= 0 {
			return i, j
		}
	}
	return -1, 0
}

// controlAt is the offset of v's first control character, or -1. It
// tests eight bytes at a time for one below 0x20 (Mycroft's has-less
// test, exact for a bound of at most 0x80), then looks closer only at a
// word that has one.
func controlAt(v string) int {
	j := 0
	for ; j+8 <= len(v); j += 8 {
		x := uint64(v[j]) | uint64(v[j+1])<<8 | uint64(v[j+2])<<16 | uint64(v[j+3])<<24 |
			uint64(v[j+4])<<32 | uint64(v[j+5])<<40 | uint64(v[j+6])<<48 | uint64(v[j+7])<<56
		if (x-swar.Ones*0x20)&^x&swar.Highs == 0 {
			continue
		}
		for k := j; k < j+8; k++ {
			if isControl[v[k]] {
				return k
			}
		}
	}
	for ; j < len(v); j++ {
		if isControl[v[j]] {
			return j
		}
	}
	return -1
}

// StripControl returns v without its C0 control characters other than
// tab, LF and CR.
func StripControl(v string) string {
	return strings.Map(func(c rune) rune {
		if c < 0x20 && isControl[c] {
			return -1
		}
		return c
	}, v)
}
