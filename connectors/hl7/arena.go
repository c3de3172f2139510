package hl7

import (
	"strconv"
	"unsafe"
)

// arenaBlock is the size of the blocks an arena cuts strings from: just
// under 32 KiB, the largest size the Go allocator serves from its
// small-object classes.
const arenaBlock = 32<<10 - 64

// arena hands out the strings of mapped rows cut from large blocks, so
// that the dozens of short values of a message cost a share of one
// allocation instead of one each (8.4 M allocations for 100 MB of ADT
// and ORU before, 0.2 M after). A string handed out is never written
// again: bytes are only ever appended after the last one handed out, and
// a full block is left to the strings that refer to it (the garbage
// collector frees it with the last of them). So the strings are ordinary
// immutable strings that a receiver may keep. The zero arena is ready to
// use.
type arena struct {
	buf   []byte
	start int // where the string being built starts in buf
}

// begin starts a string of about n bytes; end returns it.
func (a *arena) begin(n int) {
	if cap(a.buf)-len(a.buf) < n {
		a.buf = make([]byte, 0, max(arenaBlock, n))
	}
	a.start = len(a.buf)
}

// end returns the bytes appended since begin as a string. When an
// append outgrew the block, buf moved to a new array (the strings
// before stay in the old one, untouched), and the string is cut from
// the new one.
func (a *arena) end() string {
	if len(a.buf) == a.start {
		return ""
	}
	return unsafe.String(&a.buf[a.start], len(a.buf)-a.start)
}

// value returns v decoded (escapes, then charset), as Value.String does.
func (a *arena) value(v Value) string {
	if v.Presence() != Present {
		return ""
	}
	a.begin(len(v.raw))
	a.buf = v.appendDecoded(a.buf)
	return a.end()
}

// concat returns the strings joined, without separator.
func (a *arena) concat(parts ...string) string {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	a.begin(n)
	for _, p := range parts {
		a.buf = append(a.buf, p...)
	}
	return a.end()
}

// ref returns base + "/" + seg + n, a source_ref such as "f#3/C1/OBX2".
func (a *arena) ref(base, seg string, n int) string {
	a.begin(len(base) + len(seg) + 21)
	a.buf = append(a.buf, base...)
	a.buf = append(a.buf, '/')
	a.buf = append(a.buf, seg...)
	a.buf = strconv.AppendInt(a.buf, int64(n), 10)
	return a.end()
}
