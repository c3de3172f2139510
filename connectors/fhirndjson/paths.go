package fhirndjson

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// A path names an element of a resource for the mapping option
// (docs/fhir.md, "Mapping"): steps separated by dots from the resource's
// root, each an element name with an optional [N] index (identifier[1].value).
// An array met without an index stands for its first element.
type path []step

// step is one element name with its index, -1 when it has none.
type step struct {
	name  string
	index int
}

// maxPathSteps bounds a path, so that a config cannot make lookups costly.
const maxPathSteps = 16

// parsePath reads a path, or says what is wrong with it.
func parsePath(s string) (path, error) {
	parts := strings.Split(s, ".")
	if len(parts) > maxPathSteps {
		return nil, fmt.Errorf("path %q: more than %d steps", s, maxPathSteps)
	}
	p := make(path, len(parts))
	for i, part := range parts {
		st := step{name: part, index: -1}
		if open := strings.IndexByte(part, '['); open >= 0 {
			n, err := strconv.Atoi(strings.TrimSuffix(part[open+1:], "]"))
			if !strings.HasSuffix(part, "]") || err != nil || n < 0 {
				return nil, fmt.Errorf("path %q: %q is not NAME[N] with N a number from 0", s, part)
			}
			st = step{name: part[:open], index: n}
		}
		if !isElementName(st.name) {
			return nil, fmt.Errorf("path %q: %q is not an element name (letters, digits and _)", s, st.name)
		}
		p[i] = st
	}
	return p, nil
}

func isElementName(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r != '_' && (r < 'a' || r > 'z') && (r < 'A' || r > 'Z') && (r < '0' || r > '9') {
			return false
		}
	}
	return true
}

// text finds the path in a resource decoded into any (with json.Number
// numbers) and returns it as the text a mapping reads: a string as it is,
// a number as written, true or false, an object or array as its JSON;
// ok is false when the resource has no such element or it is null.
func (p path) text(doc any) (string, bool) {
	v := doc
	for _, st := range p {
		v = first(v)
		obj, ok := v.(map[string]any)
		if !ok {
			return "", false
		}
		if v, ok = obj[st.name]; !ok {
			return "", false
		}
		if st.index >= 0 {
			arr, ok := v.([]any)
			if !ok || st.index >= len(arr) {
				return "", false
			}
			v = arr[st.index]
		}
	}
	switch x := first(v).(type) {
	case nil:
		return "", false
	case string:
		return x, true
	case json.Number:
		return x.String(), true
	case bool:
		return strconv.FormatBool(x), true
	default:
		b, err := json.Marshal(x)
		return string(b), err == nil
	}
}

// first is an array's first element (nil when empty); any other value is
// itself.
func first(v any) any {
	if arr, ok := v.([]any); ok {
		if len(arr) == 0 {
			return nil
		}
		return arr[0]
	}
	return v
}
