// Package swar tests eight bytes at a time, held in one 64-bit word
// (SIMD within a register): the inner loops of the text scanners, whose
// fields are too short for a call into the vectorised bytes functions to
// pay.
package swar

import "encoding/binary"

// Ones has 1 in every byte, Highs the high bit of every byte.
const (
	Ones  = 0x0101010101010101
	Highs = 0x8080808080808080
)

// Load returns b[i:i+8] as a little-endian word: byte i is the lowest.
func Load(b []byte, i int) uint64 { return binary.LittleEndian.Uint64(b[i:]) }

// Zero flags, by their high bit, the bytes of x that are zero. The
// lowest flag is exact; flags above it may be false (a borrow), so only
// the lowest may be trusted for a position.
func Zero(x uint64) uint64 { return (x - Ones) &^ x & Highs }

// PlainJSON reports whether the eight bytes of x are all bytes a JSON
// string holds as they are, without escape or UTF-8 decoding: ASCII,
// neither a control character nor `"` nor `\`. It never answers true
// when one is not.
func PlainJSON(x uint64) bool {
	ctlOrHigh := (x - Ones*0x20) | x // high bit: a byte below 0x20, or not ASCII
	return (ctlOrHigh&Highs | Zero(x^(Ones*'"')) | Zero(x^(Ones*'\\'))) == 0
}
