package exec

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"unicode/utf8"
)

// The spool's lines were checked as JSON (json.Valid) when the tap wrote
// them, and the spool's digest is checked at the end of each replay, so
// the replay reads them with this small scanner instead of reflection:
// it finds the top-level members of a message and reads a record's
// properties as text, with no map or interface allocated per record.

var errScan = errors.New("malformed JSON")

// member calls fn with each top-level member of the object in b: its key
// (unescaped) and its raw value.
func members(b []byte, fn func(key []byte, val []byte) error) error {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return errScan
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		return nil
	}
	var keyBuf []byte
	for {
		if i >= len(b) || b[i] != '"' {
			return errScan
		}
		end, err := stringEnd(b, i)
		if err != nil {
			return err
		}
		key, err := unquote(b[i:end], keyBuf[:0])
		if err != nil {
			return err
		}
		keyBuf = key
		i = skipSpace(b, end)
		if i >= len(b) || b[i] != ':' {
			return errScan
		}
		i = skipSpace(b, i+1)
		vend, err := valueEnd(b, i)
		if err != nil {
			return err
		}
		if err := fn(key, b[i:vend]); err != nil {
			return err
		}
		i = skipSpace(b, vend)
		if i < len(b) && b[i] == ',' {
			i = skipSpace(b, i+1)
			continue
		}
		if i < len(b) && b[i] == '}' {
			return nil
		}
		return errScan
	}
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// stringEnd returns the index just past the string starting at b[i] == '"'.
func stringEnd(b []byte, i int) (int, error) {
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j + 1, nil
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

// unquote appends the text of the JSON string q (quotes included) to dst.
func unquote(q []byte, dst []byte) ([]byte, error) {
	s := q[1 : len(q)-1]
	if bytes.IndexByte(s, '\\') < 0 {
		return append(dst, s...), nil
	}
	var out string
	if err := json.Unmarshal(q, &out); err != nil {
		return nil, err
	}
	return append(dst, out...), nil
}

// text returns a raw JSON value as the text a mapping reads: strings
// unquoted, numbers as written, true/false, objects and arrays as their
// JSON; ok is false for null.
func text(raw []byte) (string, bool, error) {
	switch {
	case len(raw) == 0:
		return "", false, errScan
	case raw[0] == '"':
		s := raw[1 : len(raw)-1]
		if bytes.IndexByte(s, '\\') < 0 && utf8.Valid(s) {
			return string(s), true, nil
		}
		var out string
		err := json.Unmarshal(raw, &out)
		return out, err == nil, err
	case string(raw) == "null":
		return "", false, nil
	case raw[0] == '{' || raw[0] == '[':
		var c bytes.Buffer
		if err := json.Compact(&c, raw); err != nil {
			return "", false, err
		}
		return c.String(), true, nil
	}
	if string(raw) == "true" || string(raw) == "false" {
		return string(raw), true, nil
	}
	if _, err := strconv.ParseFloat(string(raw), 64); err != nil && !errors.Is(err, strconv.ErrRange) {
		return "", false, errScan
	}
	return string(raw), true, nil
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
