package hl7

import (
	"bytes"
	"unicode/utf8"
)

// appendUnescaped appends raw, a value as it stands between delimiters,
// to dst as UTF-8: escape sequences decoded, then the message charset.
// Escapes are decoded only after the value was split out, so an escaped
// delimiter never splits a value:
//
//	\F\ \S\ \T\ \R\ \E\   the field, component, subcomponent, repetition
//	                      and escape characters
//	\P\                   the truncation character, when MSH-2 declares one
//	\.br\                 a line feed; \.sp\ and \.sp n\ one or n of them
//	\Xhh...\              the bytes hh..., in the message charset (kept
//	                      verbatim when they are not valid in it)
//	\H\ \N\               start and end of highlighting: dropped
//
// Any other sequence (\Cxxyy\, \Mxxyyzz\, \Zxx\, formatting commands),
// and an escape character without its closing one, is kept verbatim.
func appendUnescaped(dst, raw []byte, d *Delimiters, cs *Charset) []byte {
	for {
		i := bytes.IndexByte(raw, d.Escape)
		if i < 0 {
			return cs.appendDecode(dst, raw)
		}
		dst = cs.appendDecode(dst, raw[:i])
		j := bytes.IndexByte(raw[i+1:], d.Escape)
		if j < 0 {
			return cs.appendDecode(dst, raw[i:])
		}
		seq := raw[i+1 : i+1+j]
		next := raw[i+2+j:]
		if out, ok := escapeSeq(dst, seq, d, cs); ok {
			dst = out
		} else {
			dst = cs.appendDecode(dst, raw[i:i+2+j])
		}
		raw = next
	}
}

// escapeSeq appends the decoding of one escape sequence (without its
// escape characters), or reports that it is not one the parser decodes.
func escapeSeq(dst, seq []byte, d *Delimiters, cs *Charset) ([]byte, bool) {
	if len(seq) == 0 {
		return dst, false
	}
	if len(seq) == 1 {
		switch seq[0] {
		case 'F':
			return append(dst, d.Field), true
		case 'S':
			return append(dst, d.Component), true
		case 'T':
			return append(dst, d.Subcomponent), true
		case 'R':
			return append(dst, d.Repetition), true
		case 'E':
			return append(dst, d.Escape), true
		case 'P':
			if d.Truncation != 0 {
				return append(dst, d.Truncation), true
			}
		case 'H', 'N':
			return dst, true
		}
		return dst, false
	}
	switch {
	case string(seq) == ".br":
		return append(dst, '\n'), true
	case bytes.HasPrefix(seq, []byte(".sp")):
		n, ok := spaceCount(bytes.TrimSpace(seq[3:]))
		if !ok {
			return dst, false
		}
		for range n {
			dst = append(dst, '\n')
		}
		return dst, true
	case seq[0] == 'X':
		return hexBytes(dst, seq[1:], cs)
	}
	return dst, false
}

func spaceCount(b []byte) (int, bool) {
	if len(b) == 0 {
		return 1, true
	}
	if len(b) > 2 {
		return 0, false
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return max(n, 1), true
}

func hexBytes(dst, hex []byte, cs *Charset) ([]byte, bool) {
	if len(hex) == 0 || len(hex)%2 != 0 {
		return dst, false
	}
	var tmp [64]byte
	raw := tmp[:0]
	for i := 0; i < len(hex); i += 2 {
		hi, ok1 := unhex(hex[i])
		lo, ok2 := unhex(hex[i+1])
		if !ok1 || !ok2 {
			return dst, false
		}
		raw = append(raw, hi<<4|lo)
	}
	if !cs.valid(raw) {
		return dst, false
	}
	out := cs.appendDecode(dst, raw)
	if !utf8.Valid(out[len(dst):]) {
		return dst, false
	}
	return out, true
}

func unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}
