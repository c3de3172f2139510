package anchor

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"unicode/utf8"

	"github.com/healthanchor/healthanchor/schemas"
)

// Canonical returns the RFC 8785 (JCS) form of v's JSON encoding: object
// keys sorted by their UTF-16 code units (for the ASCII keys used here,
// byte order), no white space, strings escaped minimally. Only integers
// are allowed as numbers (anywhere in the document), which JCS writes in
// plain base 10.
func Canonical(v any) ([]byte, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("anchor: canonical json: %w", err)
	}
	return CanonicalizeJSON(raw)
}

// CanonicalizeJSON re-encodes a JSON document (one value, white space
// around it allowed) in its JCS form. Invalid UTF-8 in a string becomes
// U+FFFD, and of an object's members with the same name the last is kept,
// as encoding/json reads them.
func CanonicalizeJSON(raw []byte) ([]byte, error) {
	if !json.Valid(raw) {
		// Valid first, so that the one-pass writer below may trust the
		// grammar; the decoder names the fault.
		var v any
		err := json.Unmarshal(raw, &v)
		if err == nil {
			err = errors.New("invalid JSON")
		}
		return nil, fmt.Errorf("anchor: canonical json: %w", err)
	}
	c := canonicalizer{src: raw}
	c.skipSpace()
	out, err := c.value(make([]byte, 0, len(raw)))
	if err != nil {
		return nil, fmt.Errorf("anchor: canonical json: %w", err)
	}
	return out, nil
}

// canonicalizer writes the JCS form of a document json.Valid accepted,
// in one pass over it: values are appended as read, and an object's
// members, once all are written, are put in key order.
type canonicalizer struct {
	src []byte
	pos int
}

// member is one object member written at dst[start:end] ("key":value);
// key is the unescaped name it sorts by.
type member struct {
	key        []byte
	start, end int
}

func (c *canonicalizer) skipSpace() {
	for c.pos < len(c.src) {
		switch c.src[c.pos] {
		case ' ', '\t', '\n', '\r':
			c.pos++
		default:
			return
		}
	}
}

// value appends the canonical form of the value at c.pos.
func (c *canonicalizer) value(dst []byte) ([]byte, error) {
	switch b := c.src[c.pos]; b {
	case '{':
		return c.object(dst)
	case '[':
		return c.array(dst)
	case '"':
		s, verbatim := c.str()
		if verbatim {
			return append(dst, s...), nil
		}
		var text string
		if err := json.Unmarshal(s, &text); err != nil {
			return nil, err
		}
		return schemas.AppendJSONString(dst, text), nil
	case 't':
		c.pos += len("true")
		return append(dst, "true"...), nil
	case 'f':
		c.pos += len("false")
		return append(dst, "false"...), nil
	case 'n':
		c.pos += len("null")
		return append(dst, "null"...), nil
	default:
		start := c.pos
		for c.pos < len(c.src) && numberByte(c.src[c.pos]) {
			c.pos++
		}
		num := c.src[start:c.pos]
		if bytes.ContainsAny(num, ".eE") {
			return nil, fmt.Errorf("number %s is not an integer", num)
		}
		return append(dst, num...), nil
	}
}

// numberByte reports whether b may appear in a JSON number.
func numberByte(b byte) bool {
	return b >= '0' && b <= '9' || b == '-' || b == '+' || b == '.' || b == 'e' || b == 'E'
}

// str reads the string at c.pos and returns it with its quotes; verbatim
// is true when those bytes are already its canonical form: no escape
// (json.Marshal escapes nothing the canonical form leaves as is, and a
// valid string holds no control character) and valid UTF-8.
func (c *canonicalizer) str() (s []byte, verbatim bool) {
	start := c.pos
	c.pos++
	escaped := false
	for {
		switch c.src[c.pos] {
		case '\\':
			escaped = true
			c.pos += 2
			continue
		case '"':
			c.pos++
			s = c.src[start:c.pos]
			return s, !escaped && utf8.Valid(s)
		}
		c.pos++
	}
}

func (c *canonicalizer) array(dst []byte) ([]byte, error) {
	dst = append(dst, '[')
	c.pos++
	c.skipSpace()
	var err error
	for first := true; c.src[c.pos] != ']'; first = false {
		if !first {
			dst = append(dst, ',')
			c.pos++ // the comma
			c.skipSpace()
		}
		if dst, err = c.value(dst); err != nil {
			return nil, err
		}
		c.skipSpace()
	}
	c.pos++
	return append(dst, ']'), nil
}

func (c *canonicalizer) object(dst []byte) ([]byte, error) {
	dst = append(dst, '{')
	c.pos++
	c.skipSpace()
	at := len(dst)
	var members []member
	for c.src[c.pos] != '}' {
		if len(members) > 0 {
			c.pos++ // the comma
			c.skipSpace()
		}
		s, verbatim := c.str()
		key := s[1 : len(s)-1]
		start := len(dst)
		if verbatim {
			dst = append(dst, s...)
		} else {
			var text string
			if err := json.Unmarshal(s, &text); err != nil {
				return nil, err
			}
			key = []byte(text)
			dst = schemas.AppendJSONString(dst, text)
		}
		dst = append(dst, ':')
		c.skipSpace()
		c.pos++ // the colon
		c.skipSpace()
		var err error
		if dst, err = c.value(dst); err != nil {
			return nil, err
		}
		members = append(members, member{key: key, start: start, end: len(dst)})
		c.skipSpace()
	}
	c.pos++
	sortMembers(members)
	written := append([]byte(nil), dst[at:]...)
	dst = dst[:at]
	first := true
	for i, m := range members {
		if i+1 < len(members) && bytes.Equal(members[i+1].key, m.key) {
			continue
		}
		if !first {
			dst = append(dst, ',')
		}
		first = false
		dst = append(dst, written[m.start-at:m.end-at]...)
	}
	return append(dst, '}'), nil
}

// sortMembers sorts an object's members by name, stably, so that of equal
// names the last read is the last of its run, the one kept. Objects are
// small here (a manifest has about twenty members): an insertion sort,
// the general one for large objects.
func sortMembers(ms []member) {
	if len(ms) > 48 {
		slices.SortStableFunc(ms, func(a, b member) int { return bytes.Compare(a.key, b.key) })
		return
	}
	for i := 1; i < len(ms); i++ {
		m := ms[i]
		j := i
		for ; j > 0 && string(ms[j-1].key) > string(m.key); j-- {
			ms[j] = ms[j-1]
		}
		ms[j] = m
	}
}
