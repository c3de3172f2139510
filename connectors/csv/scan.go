package csv

import (
	"encoding/binary"
	"math/bits"
)

// The tokenizer's inner loops: finding the end of an unquoted field eight
// bytes at a time. Fields of a patient export are short (ten bytes on
// average), so a word at a time beats both a byte loop and a call into
// the vectorised bytes.IndexByte, which finds one byte value, not two.

const (
	lowBits  = 0x0101010101010101
	highBits = 0x8080808080808080
	nlBits   = '\n' * lowBits
)

// indexDelimOrNL returns the index in b of the first delim or '\n' byte,
// or len(b) when there is none.
func indexDelimOrNL(b []byte, delim byte) int {
	d := uint64(delim) * lowBits
	i := 0
	for ; i+8 <= len(b); i += 8 {
		w := binary.LittleEndian.Uint64(b[i:])
		// A byte of x is zero where w holds the byte sought; the lowest
		// flagged byte is exact (borrows only flag bytes above it).
		x, y := w^d, w^nlBits
		if m := ((x-lowBits)&^x | (y-lowBits)&^y) & highBits; m != 0 {
			return i + bits.TrailingZeros64(m)/8
		}
	}
	for ; i < len(b); i++ {
		if b[i] == delim || b[i] == '\n' {
			return i
		}
	}
	return len(b)
}
