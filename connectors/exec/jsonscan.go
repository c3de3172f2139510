package exec

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// The spool's lines were checked as JSON (checkedMembers) when the tap
// wrote them, and the spool's digest is checked at the end of each replay, so
// the replay reads them with this small scanner instead of reflection:
// it finds the top-level members of a message and reads a record's
// properties as text, with no map or interface allocated per record.

var errScan = errors.New("malformed JSON")

// members calls fn with each top-level member of the object in b: its key
// (unescaped) and its raw value. It trusts b to be valid JSON (a spooled
// line); checkedMembers is for lines not yet checked.
func members(b []byte, fn func(key []byte, val []byte) error) error {
	return scanMembers(b, false, fn)
}

// checkedMembers is members for a line that may be anything: b must be
// one JSON object, strictly valid (as encoding/json.Valid checks), with
// nothing but white space after it.
func checkedMembers(b []byte, fn func(key []byte, val []byte) error) error {
	return scanMembers(b, true, fn)
}

func scanMembers(b []byte, strict bool, fn func(key []byte, val []byte) error) error {
	end, err := scanObject(b, skipSpace(b, 0), strict, func(key []byte, i int) (int, error) {
		end := valueEnd
		if strict {
			end = validValueEnd
		}
		vend, err := end(b, i)
		if err != nil {
			return 0, err
		}
		return vend, fn(key, b[i:vend])
	})
	if err != nil {
		return err
	}
	return trailing(b, end, strict)
}

// scanObject reads the object that starts at b[i] and returns the index
// just past it. For each member it calls value with the key (unescaped;
// valid until the next call) and the index of the value, and value
// returns the index just past the value, so that a caller can read a
// value in the same pass that finds its end. strict checks the keys.
func scanObject(b []byte, i int, strict bool, value func(key []byte, i int) (int, error)) (int, error) {
	if i >= len(b) || b[i] != '{' {
		return 0, errScan
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		return i + 1, nil
	}
	var keyBuf []byte
	for {
		if i >= len(b) || b[i] != '"' {
			return 0, errScan
		}
		end, err := stringEnd(b, i)
		if strict {
			end, err = validStringEnd(b, i)
		}
		if err != nil {
			return 0, err
		}
		key := b[i+1 : end-1]
		if !plainKey(key) {
			if key, err = appendString(keyBuf[:0], b[i:end], true); err != nil {
				return 0, err
			}
			keyBuf = key
		}
		i = skipSpace(b, end)
		if i >= len(b) || b[i] != ':' {
			return 0, errScan
		}
		i = skipSpace(b, i+1)
		vend, err := value(key, i)
		if err != nil {
			return 0, err
		}
		i = skipSpace(b, vend)
		if i < len(b) && b[i] == ',' {
			i = skipSpace(b, i+1)
			continue
		}
		if i < len(b) && b[i] == '}' {
			return i + 1, nil
		}
		return 0, errScan
	}
}

// plainKey tells a key that reads as it is written: ASCII, no escape.
func plainKey(k []byte) bool {
	for _, c := range k {
		if c == '\\' || c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// trailing checks, when strict, that only white space follows b[i:].
func trailing(b []byte, i int, strict bool) error {
	if strict && skipSpace(b, i) != len(b) {
		return errScan
	}
	return nil
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// stringEnd returns the index just past the string starting at b[i] == '"':
// the first quote after it that a backslash does not escape. A byte loop:
// the strings of records are short, shorter than a call of IndexByte pays.
func stringEnd(b []byte, i int) (int, error) {
	for j := i + 1; j < len(b); j++ {
		if plainStringByte[b[j]] {
			continue
		}
		switch b[j] {
		case '"':
			return j + 1, nil
		case '\\':
			j++
		}
	}
	return 0, errScan
}

// valueEnd returns the index just past the value starting at b[i].
func valueEnd(b []byte, i int) (int, error) {
	if i >= len(b) {
		return 0, errScan
	}
	switch b[i] {
	case '"':
		return stringEnd(b, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				end, err := stringEnd(b, j)
				if err != nil {
					return 0, err
				}
				j = end - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1, nil
				}
			}
		}
		return 0, errScan
	}
	j := i
	for j < len(b) && b[j] != ',' && b[j] != '}' && b[j] != ']' && b[j] != ' ' && b[j] != '\t' && b[j] != '\n' && b[j] != '\r' {
		j++
	}
	if j == i {
		return 0, errScan
	}
	return j, nil
}

// appendString appends the text of the JSON string q (quotes included)
// to dst, as encoding/json decodes it: escapes resolved, a lone surrogate
// or a byte that is not UTF-8 replaced by U+FFFD. checkUTF8 false skips
// the check of a string without escapes, for a caller that knows its
// bytes are UTF-8 (the whole line was checked once).
func appendString(dst, q []byte, checkUTF8 bool) ([]byte, error) {
	s := q[1 : len(q)-1]
	if bytes.IndexByte(s, '\\') < 0 && (!checkUTF8 || utf8.Valid(s)) {
		return append(dst, s...), nil
	}
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '\\':
			if i+1 >= len(s) {
				return nil, errScan
			}
			i += 2
			switch e := s[i-1]; e {
			case '"', '\\', '/':
				dst = append(dst, e)
			case 'b':
				dst = append(dst, '\b')
			case 'f':
				dst = append(dst, '\f')
			case 'n':
				dst = append(dst, '\n')
			case 'r':
				dst = append(dst, '\r')
			case 't':
				dst = append(dst, '\t')
			case 'u':
				r, ok := hex4(s, i)
				if !ok {
					return nil, errScan
				}
				i += 4
				if utf16.IsSurrogate(r) {
					r2, ok := rune(0), false
					if i+6 <= len(s) && s[i] == '\\' && s[i+1] == 'u' {
						r2, ok = hex4(s, i+2)
					}
					if dec := utf16.DecodeRune(r, r2); ok && dec != utf8.RuneError {
						r = dec
						i += 6
					} else {
						r = utf8.RuneError
					}
				}
				dst = utf8.AppendRune(dst, r)
			default:
				return nil, errScan
			}
		case c < utf8.RuneSelf:
			dst = append(dst, c)
			i++
		default:
			r, n := utf8.DecodeRune(s[i:])
			dst = utf8.AppendRune(dst, r) // U+FFFD for a byte that is not UTF-8
			i += n
		}
	}
	return dst, nil
}

// appendStringAt appends the text of the JSON string that starts at
// b[i] == '"' to dst, as appendString does with checkUTF8, and returns
// the index just past the string: one pass that finds the string's end
// while it copies, runs of plain ASCII at a time.
func appendStringAt(dst, b []byte, i int) ([]byte, int, error) {
	j := i + 1
	for {
		run := j
		for j < len(b) && asciiStringByte[b[j]] {
			j++
		}
		dst = append(dst, b[run:j]...)
		if j >= len(b) {
			return dst, 0, errScan
		}
		switch c := b[j]; {
		case c == '"':
			return dst, j + 1, nil
		case c >= utf8.RuneSelf:
			r, n := utf8.DecodeRune(b[j:])
			if r == utf8.RuneError && n == 1 {
				dst = utf8.AppendRune(dst, r) // a byte that is not UTF-8
			} else {
				dst = append(dst, b[j:j+n]...)
			}
			j += n
		default: // a backslash: the escapes are appendString's
			end, err := stringEnd(b, i)
			if err != nil {
				return dst, 0, err
			}
			out, err := appendString(dst, b[j-1:end], true)
			return out, end, err
		}
	}
}

// asciiStringByte tells the bytes of a string that read as they are
// written and need no UTF-8 check: ASCII but the quote and the backslash.
var asciiStringByte = func() (t [256]bool) {
	for c := 0; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// hex4 reads the four hexadecimal digits at s[i:].
func hex4(s []byte, i int) (rune, bool) {
	if i+4 > len(s) {
		return 0, false
	}
	n, err := strconv.ParseUint(string(s[i:i+4]), 16, 32)
	return rune(n), err == nil
}

// text returns a raw JSON value as the text a mapping reads: strings
// unquoted, numbers as written, true/false, objects and arrays as their
// JSON; ok is false for null.
func text(raw []byte) (string, bool, error) {
	b, ok, err := appendText(nil, raw, true)
	return string(b), ok, err
}

// appendText appends text(raw) to dst; checkUTF8 is appendString's.
func appendText(dst, raw []byte, checkUTF8 bool) ([]byte, bool, error) {
	switch {
	case len(raw) == 0:
		return dst, false, errScan
	case raw[0] == '"':
		out, err := appendString(dst, raw, checkUTF8)
		if err != nil {
			return dst, false, err
		}
		return out, true, nil
	case string(raw) == "null":
		return dst, false, nil
	case raw[0] == '{' || raw[0] == '[':
		c := bytes.NewBuffer(dst)
		if err := json.Compact(c, raw); err != nil {
			return dst, false, err
		}
		return c.Bytes(), true, nil
	}
	if string(raw) == "true" || string(raw) == "false" {
		return append(dst, raw...), true, nil
	}
	if _, err := strconv.ParseFloat(string(raw), 64); err != nil && !errors.Is(err, strconv.ErrRange) {
		return dst, false, errScan
	}
	return append(dst, raw...), true, nil
}

// isString tells whether the raw JSON value is the string want.
func isString(raw []byte, want string) bool {
	if len(raw) < 2 || raw[0] != '"' {
		return false
	}
	if bytes.IndexByte(raw, '\\') < 0 {
		return string(raw[1:len(raw)-1]) == want
	}
	s, ok, err := text(raw)
	return ok && err == nil && s == want
}
