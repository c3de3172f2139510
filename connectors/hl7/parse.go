package hl7

import (
	"bytes"
	"fmt"
	"math"
	"unicode/utf8"
)

var bom = []byte{0xEF, 0xBB, 0xBF}

// Parser parses messages into offsets, reusing the Message it is given
// so that a stream of messages allocates little. The zero Parser decodes
// undeclared non-UTF-8 messages as windows-1252.
type Parser struct {
	// Fallback is the charset of a message without MSH-18 whose bytes are
	// not valid UTF-8 (nil: windows-1252). Such a message carries a warning.
	Fallback *Charset
	// FirstLine is the line of the message's first byte in its file, so
	// that reasons and Segment.Line name file lines (0 counts from 1).
	FirstLine int

	lastName    string // MSH-18 of the previous message, and its charset
	lastCharset *Charset
}

// Parse parses one message with the zero Parser. The message refers to raw.
func Parse(raw []byte) (*Message, error) {
	m := new(Message)
	var p Parser
	if err := p.ParseInto(m, raw); err != nil {
		return nil, err
	}
	return m, nil
}

// ParseInto parses raw, one message, into m, replacing what m held. m
// refers to raw afterwards. The error, if any, is an *InputError whose
// reason names the line or field at fault.
//
// Segments end at CR or CRLF when the message contains a CR, otherwise
// at LF. In a CR message, a lone LF is taken as a segment end only when a
// segment id follows it (mixed line ends); otherwise it is part of the
// value. A leading byte order mark and blank lines are skipped; a segment
// id is three upper-case letters or digits, followed by the field
// separator or by the end of the segment.
func (p *Parser) ParseInto(m *Message, raw []byte) error {
	m.raw, m.segs, m.offs, m.warnings = raw, m.segs[:0], m.offs[:0], m.warnings[:0]
	m.charset, m.declared, m.delims = nil, false, Delimiters{}
	if len(raw) >= math.MaxInt32 {
		return inputErrorf("message of %d bytes is too large", len(raw))
	}
	pos := 0
	if bytes.HasPrefix(raw, bom) {
		pos = len(bom)
	}
	crMode := bytes.IndexByte(raw, '\r') >= 0
	line := max(p.FirstLine, 1)
	for pos < len(raw) {
		end, next, extra := lineEnd(raw, pos, crMode, m.delims.Field)
		if isBlank(raw[pos:end]) {
			pos, line = next, line+1+extra
			continue
		}
		if err := m.addSegment(raw, pos, end, line); err != nil {
			return err
		}
		pos, line = next, line+1+extra
	}
	if len(m.segs) == 0 {
		return inputErrorf("MSH: empty message")
	}
	return p.setCharset(m)
}

// lineEnd finds the end of the line starting at pos: end is where its
// content stops, next where the next line starts, and extra counts the
// line feeds kept inside the line (CR messages only).
func lineEnd(raw []byte, pos int, crMode bool, fs byte) (end, next, extra int) {
	if !crMode {
		i := bytes.IndexByte(raw[pos:], '\n')
		if i < 0 {
			return len(raw), len(raw), 0
		}
		return pos + i, pos + i + 1, 0
	}
	cr := bytes.IndexByte(raw[pos:], '\r')
	if cr < 0 {
		cr = len(raw)
	} else {
		cr += pos
	}
	e := pos
	for {
		lf := bytes.IndexByte(raw[e:cr], '\n')
		if lf < 0 {
			break
		}
		lf += e
		if fs == 0 || looksLikeSegment(raw[lf+1:], fs) {
			return lf, lf + 1, extra
		}
		extra++
		e = lf + 1
	}
	next = cr + 1
	if next < len(raw) && raw[next] == '\n' {
		next++
	}
	return cr, min(next, len(raw)), extra
}

// looksLikeSegment reports whether b starts with a blank line, or with a
// segment id followed by the field separator or a line end.
func looksLikeSegment(b []byte, fs byte) bool {
	if len(b) == 0 || b[0] == '\r' || b[0] == '\n' {
		return true
	}
	if len(b) < 3 || !isIDChar(b[0]) || !isIDChar(b[1]) || !isIDChar(b[2]) {
		return false
	}
	return len(b) == 3 || b[3] == fs || b[3] == '\r' || b[3] == '\n'
}

func isIDChar(c byte) bool { return c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' }

func isBlank(b []byte) bool {
	for _, c := range b {
		if c != ' ' && c != '\t' && c != '\r' && c != '\n' {
			return false
		}
	}
	return true
}

func (m *Message) addSegment(raw []byte, ls, le, line int) error {
	b := raw[ls:le]
	first := len(m.segs) == 0
	if first {
		if len(b) < 3 || string(b[:3]) != "MSH" {
			return inputErrorf("line %d: MSH: the message does not start with an MSH segment (found %s)", line, excerpt(b))
		}
		if len(b) < 4 {
			return inputErrorf("MSH-1: no field separator")
		}
		enc := b[4:]
		if i := bytes.IndexByte(enc, b[3]); i >= 0 {
			enc = enc[:i]
		}
		d, err := parseDelimiters(b[3], enc)
		if err != nil {
			return inputErrorf("%s", err)
		}
		m.delims = d
	}
	fs := m.delims.Field
	if len(b) < 3 || !isIDChar(b[0]) || !isIDChar(b[1]) || !isIDChar(b[2]) || (len(b) > 3 && b[3] != fs) {
		return inputErrorf("line %d: %s does not start with a segment id (three upper-case letters or digits, then %q); a hard-wrapped line?", line, excerpt(b), fs)
	}
	if !first && string(b[:3]) == "MSH" {
		return inputErrorf("line %d: a second MSH segment in one message", line)
	}
	sg := segment{id: [3]byte{b[0], b[1], b[2]}, f0: int32(len(m.offs)), line: int32(line)}
	m.offs = append(m.offs, int32(ls))
	for i := ls + 3; i < le; {
		j := bytes.IndexByte(raw[i:le], fs)
		if j < 0 {
			break
		}
		i += j + 1
		m.offs = append(m.offs, int32(i))
	}
	m.offs = append(m.offs, int32(le+1))
	sg.nf = int32(len(m.offs)) - sg.f0 - 1
	m.segs = append(m.segs, sg)
	return nil
}

// excerpt quotes the start of a line for a reason.
func excerpt(b []byte) string {
	const max = 24
	if len(b) > max {
		return fmt.Sprintf("%q...", b[:max])
	}
	return fmt.Sprintf("%q", b)
}

// setCharset picks the message's charset from MSH-18 (its first
// repetition), or infers it, and checks that every byte decodes in it.
func (p *Parser) setCharset(m *Message) error {
	name := m.Field("MSH", 18).Rep(1).Comp(1)
	if name.Presence() == Present {
		cs := p.lastCharset
		if cs == nil || string(name.Raw()) != p.lastName {
			var err error
			if cs, err = LookupCharset(string(name.Raw())); err != nil {
				return inputErrorf("MSH-18: %s", err)
			}
			p.lastName, p.lastCharset = string(name.Raw()), cs
		}
		m.charset, m.declared = cs, true
		if off := cs.check(m.raw); off >= 0 {
			return inputErrorf("MSH-18: line %d: byte 0x%02X is not valid %s, the declared charset", lineAt(m.raw, off)+max(p.FirstLine, 1)-1, m.raw[off], cs.name)
		}
		return nil
	}
	if utf8.Valid(m.raw) {
		m.charset = UTF8
		return nil
	}
	fb := p.Fallback
	if fb == nil {
		fb = charsets["WINDOWS-1252"]
	}
	if off := fb.check(m.raw); off >= 0 {
		return inputErrorf("MSH-18: line %d: byte 0x%02X is neither UTF-8 nor %s, the fallback charset (MSH-18 is empty)", lineAt(m.raw, off)+max(p.FirstLine, 1)-1, m.raw[off], fb.name)
	}
	m.charset = fb
	m.warnings = append(m.warnings, fmt.Sprintf("MSH-18 is empty and the message is not valid UTF-8: decoded as %s", fb.name))
	return nil
}

// lineAt returns the line (from 1) of byte off, counting CR, LF and CRLF
// as one line end each.
func lineAt(raw []byte, off int) int {
	line := 1
	for i := 0; i < off && i < len(raw); i++ {
		switch raw[i] {
		case '\n':
			line++
		case '\r':
			if i+1 >= len(raw) || raw[i+1] != '\n' {
				line++
			}
		}
	}
	return line
}
