package csv

import (
	"math/bits"

	"github.com/healthanchor/healthanchor/internal/swar"
)

// The tokenizer's inner loops: finding the end of an unquoted field eight
// bytes at a time. Fields of a patient export are short (ten bytes on
// average), so a word at a time beats both a byte loop and a call into
// the vectorised bytes.IndexByte, which finds one byte value, not two.

// indexDelimOrNL returns the index in b of the first delim or '\n' byte,
// or len(b) when there is none.
func indexDelimOrNL(b []byte, delim byte) int {
	d := uint64(delim) * swar.Ones
	i := 0
	for ; i+8 <= len(b); i += 8 {
		w := swar.Load(b, i)
		// A byte of w^d is zero where w holds the byte sought; the lowest
		// flagged byte is exact.
		if m := swar.Zero(w^d) | swar.Zero(w^(swar.Ones*'\n')); m != 0 {
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
