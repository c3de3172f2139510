package anchor

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/healthanchor/healthanchor/schemas"
)

// Canonical returns the RFC 8785 (JCS) form of v's JSON encoding: object
// keys sorted by their UTF-16 code units (for the ASCII keys used here,
// byte order), no white space, strings escaped minimally. Only integers
// are allowed as numbers, which JCS writes in plain base 10.
func Canonical(v any) ([]byte, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("anchor: canonical json: %w", err)
	}
	return CanonicalizeJSON(raw)
}

// CanonicalizeJSON re-encodes a JSON document in its JCS form.
func CanonicalizeJSON(raw []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("anchor: canonical json: %w", err)
	}
	return appendCanonical(nil, doc)
}

func appendCanonical(dst []byte, v any) ([]byte, error) {
	var err error
	switch x := v.(type) {
	case nil:
		return append(dst, "null"...), nil
	case bool:
		if x {
			return append(dst, "true"...), nil
		}
		return append(dst, "false"...), nil
	case string:
		return schemas.AppendJSONString(dst, x), nil
	case json.Number:
		s := x.String()
		if strings.ContainsAny(s, ".eE") {
			return nil, fmt.Errorf("anchor: canonical json: number %s is not an integer", s)
		}
		return append(dst, s...), nil
	case []any:
		dst = append(dst, '[')
		for i, e := range x {
			if i > 0 {
				dst = append(dst, ',')
			}
			if dst, err = appendCanonical(dst, e); err != nil {
				return nil, err
			}
		}
		return append(dst, ']'), nil
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		dst = append(dst, '{')
		for i, k := range keys {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = schemas.AppendJSONString(dst, k)
			dst = append(dst, ':')
			if dst, err = appendCanonical(dst, x[k]); err != nil {
				return nil, err
			}
		}
		return append(dst, '}'), nil
	}
	return nil, fmt.Errorf("anchor: canonical json: unexpected %T", v)
}
