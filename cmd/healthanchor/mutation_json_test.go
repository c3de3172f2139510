package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"sort"
	"strings"
)

// JSON trees for structural mutations: objects are map[string]any, arrays
// []any, numbers json.Number (so that no digit is lost on the way).

// jpath locates a value in a tree: object keys (string) and array
// indices (int).
type jpath []any

func (p jpath) String() string {
	var b strings.Builder
	for _, s := range p {
		switch s := s.(type) {
		case string:
			b.WriteString("." + s)
		case int:
			fmt.Fprintf(&b, "[%d]", s)
		}
	}
	return b.String()
}

func decodeTree(raw []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	err := dec.Decode(&v)
	return v, err
}

// encodeTree writes a tree as JSON, indented like the files the CLI
// writes when indent is true, compact otherwise; keys sorted, nothing
// escaped that JSON does not require.
func encodeTree(v any, indent bool) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if indent {
		enc.SetIndent("", "  ")
	}
	if err := enc.Encode(v); err != nil {
		panic(err)
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

// walkTree calls fn for every value of the tree with its path, parents
// before children.
func walkTree(v any, p jpath, fn func(p jpath, v any)) {
	fn(p, v)
	switch v := v.(type) {
	case map[string]any:
		for _, k := range sortedKeys(v) {
			walkTree(v[k], append(p[:len(p):len(p)], k), fn)
		}
	case []any:
		for i, e := range v {
			walkTree(e, append(p[:len(p):len(p)], i), fn)
		}
	}
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// getAt returns the value at p.
func getAt(root any, p jpath) any {
	for _, s := range p {
		switch s := s.(type) {
		case string:
			root = root.(map[string]any)[s]
		case int:
			root = root.([]any)[s]
		}
	}
	return root
}

// setAt replaces the value at p (not the root).
func setAt(root any, p jpath, v any) {
	parent := getAt(root, p[:len(p)-1])
	switch s := p[len(p)-1].(type) {
	case string:
		parent.(map[string]any)[s] = v
	case int:
		parent.([]any)[s] = v
	}
}

// pathsWhere lists the paths of the tree's values that keep says to keep.
func pathsWhere(root any, keep func(p jpath, v any) bool) []jpath {
	var out []jpath
	walkTree(root, nil, func(p jpath, v any) {
		if len(p) > 0 && keep(p, v) {
			out = append(out, append(jpath(nil), p...))
		}
	})
	return out
}

func isScalar(v any) bool {
	switch v.(type) {
	case map[string]any, []any:
		return false
	}
	return true
}

func lastKey(p jpath) string {
	if len(p) == 0 {
		return ""
	}
	s, _ := p[len(p)-1].(string)
	return s
}

const (
	hexDigits    = "0123456789abcdef"
	base64Digits = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
)

func isHexString(s string) bool {
	if len(s) < 16 {
		return false
	}
	for _, c := range s {
		if !strings.ContainsRune(hexDigits, c) {
			return false
		}
	}
	return true
}

// changeChar replaces one character of s by another of the same
// alphabet (hex digits for hex, base64 digits for base64, printable
// ASCII otherwise), so that the value keeps its shape but differs.
func changeChar(rng *rand.Rand, s string) (string, string) {
	if s == "" {
		return "x", `"" -> "x"`
	}
	r := []rune(s)
	i := rng.IntN(len(r))
	alphabet := ""
	switch {
	case isHexString(s):
		alphabet = hexDigits
	case strings.ContainsRune(base64Digits, r[i]) && len(s) > 40 && strings.Trim(s, base64Digits+"=") == "":
		alphabet = base64Digits
	default:
		for c := ' '; c <= '~'; c++ {
			alphabet += string(c)
		}
	}
	for {
		c := rune(alphabet[rng.IntN(len(alphabet))])
		if c != r[i] {
			old := r[i]
			r[i] = c
			return string(r), fmt.Sprintf("char %d %q -> %q", i, old, c)
		}
	}
}

// changeScalar returns another value for a JSON scalar.
func changeScalar(rng *rand.Rand, v any) (any, string) {
	switch v := v.(type) {
	case string:
		s, d := changeChar(rng, v)
		return s, d
	case json.Number:
		n, err := v.Int64()
		if err != nil {
			return json.Number(string(v) + "1"), fmt.Sprintf("%s -> %s1", v, v)
		}
		d := pick(rng, []int64{-1, 1, 2, 1 << 20})
		return json.Number(fmt.Sprint(n + d)), fmt.Sprintf("%d -> %d", n, n+d)
	case bool:
		return !v, fmt.Sprintf("%v -> %v", v, !v)
	case nil:
		return "", "null -> \"\""
	}
	panic(fmt.Sprintf("not a scalar: %T", v))
}

// sameValue is reflect.DeepEqual, except that a nil slice or map equals
// an empty one: the JSON decoder gives nil for an absent list and an
// empty one for [], and the verifiers do not tell them apart.
func sameValue(a, b reflect.Value) bool {
	if a.Kind() != b.Kind() {
		return false
	}
	switch a.Kind() {
	case reflect.Slice, reflect.Array:
		if a.Len() != b.Len() {
			return false
		}
		for i := 0; i < a.Len(); i++ {
			if !sameValue(a.Index(i), b.Index(i)) {
				return false
			}
		}
		return true
	case reflect.Map:
		if a.Len() != b.Len() {
			return false
		}
		for _, k := range a.MapKeys() {
			bv := b.MapIndex(k)
			if !bv.IsValid() || !sameValue(a.MapIndex(k), bv) {
				return false
			}
		}
		return true
	case reflect.Struct:
		for i := 0; i < a.NumField(); i++ {
			if !sameValue(a.Field(i), b.Field(i)) {
				return false
			}
		}
		return true
	case reflect.Pointer, reflect.Interface:
		if a.IsNil() || b.IsNil() {
			return a.IsNil() == b.IsNil()
		}
		return sameValue(a.Elem(), b.Elem())
	case reflect.String:
		return a.String() == b.String()
	case reflect.Bool:
		return a.Bool() == b.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return a.Int() == b.Int()
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return a.Uint() == b.Uint()
	}
	panic(fmt.Sprintf("sameValue: kind %s", a.Kind()))
}
