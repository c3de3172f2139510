package anchor

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"

	"github.com/healthanchor/healthanchor/schemas"
)

// referenceCanonical is the canonical form by the plainest route: decode
// into generic values with encoding/json, write them back with sorted
// keys. A number that is not an integer is refused wherever it is, also
// in a member a later one of the same name replaces. CanonicalizeJSON
// must agree with it on every valid document.
func referenceCanonical(raw []byte) ([]byte, error) {
	tokens := json.NewDecoder(bytes.NewReader(raw))
	tokens.UseNumber()
	for {
		tok, err := tokens.Token()
		if err != nil {
			break
		}
		if n, ok := tok.(json.Number); ok && strings.ContainsAny(n.String(), ".eE") {
			return nil, fmt.Errorf("number %s is not an integer", n)
		}
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return nil, err
	}
	return referenceAppend(nil, doc)
}

func referenceAppend(dst []byte, v any) ([]byte, error) {
	var err error
	switch x := v.(type) {
	case nil:
		return append(dst, "null"...), nil
	case bool:
		return fmt.Append(dst, x), nil
	case string:
		return schemas.AppendJSONString(dst, x), nil
	case json.Number:
		if strings.ContainsAny(x.String(), ".eE") {
			return nil, fmt.Errorf("number %s is not an integer", x)
		}
		return append(dst, x...), nil
	case []any:
		dst = append(dst, '[')
		for i, e := range x {
			if i > 0 {
				dst = append(dst, ',')
			}
			if dst, err = referenceAppend(dst, e); err != nil {
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
			dst = append(schemas.AppendJSONString(dst, k), ':')
			if dst, err = referenceAppend(dst, x[k]); err != nil {
				return nil, err
			}
		}
		return append(dst, '}'), nil
	}
	return nil, fmt.Errorf("unexpected %T", v)
}

// checkAgainstReference fails when CanonicalizeJSON and the reference
// differ on a valid document: in output, or in accepting it.
func checkAgainstReference(t *testing.T, in []byte) {
	t.Helper()
	if !json.Valid(in) {
		if out, err := CanonicalizeJSON(in); err == nil {
			t.Fatalf("invalid JSON %q accepted as %s", in, out)
		}
		return
	}
	want, werr := referenceCanonical(in)
	got, gerr := CanonicalizeJSON(in)
	if (werr == nil) != (gerr == nil) || !bytes.Equal(got, want) {
		t.Fatalf("canonical form of %q:\n got  %s (%v)\n want %s (%v)", in, got, gerr, want, werr)
	}
}

func TestCanonicalizeJSONAgreesWithReference(t *testing.T) {
	for _, s := range []string{
		`{"b":1,"a":[true,false,null,"x\u00e9\n"]}`, ` { "z" : { "y" : "\u001f" , "x" : -9 } } `, `"<>&"`,
		`"\u003c\u003e\u0026"`, `[]`, `{}`, `[ ]`, `{ }`, `{"a":1.5}`, `{"a":1e3}`, `-0`, `12345678901234567890`,
		`{"\u20ac":"€","a":"\"\\/"}`, `{"a":1,"a":2,"b":[{"a":3,"a":{"c":4}}]}`, `{"\u0061":1,"a":2}`,
		"\"\xff\xfe bad utf-8\"", "{\"k\xff\":1}", `"\ud83d\ude00 \ud800"`, `"\u2028\u2029\u007f"`,
		`[[[[[]]]],{"":""}]`, `{"a":1} {"b":2}`, `{"a":}`, `[1,]`, `"unterminated`, ``, `nul`, "\t\n\r 7 ",
	} {
		checkAgainstReference(t, []byte(s))
	}
	// Random documents: nested objects and arrays with duplicate, escaped
	// and non-ASCII keys, strings with escapes, invalid UTF-8, numbers.
	r := rand.New(rand.NewPCG(1, 2))
	for range 5000 {
		checkAgainstReference(t, randomJSON(r, 0))
	}
}

func randomJSON(r *rand.Rand, depth int) []byte {
	strs := []string{`""`, `"a"`, `"b"`, `"\u0062"`, `"é"`, `"\n\t"`, `"\"q\""`, "\"\x80\"", `"<&>"`, `"\ud800"`, `"zz"`}
	switch k := r.IntN(8); {
	case k < 2 && depth < 4:
		var b []byte
		b = append(b, '{')
		for i := range r.IntN(5) {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, strs[r.IntN(len(strs))]...)
			b = append(b, " : "[r.IntN(2):]...)
			b = append(b, randomJSON(r, depth+1)...)
		}
		return append(b, '}')
	case k < 4 && depth < 4:
		b := []byte{'['}
		for i := range r.IntN(4) {
			if i > 0 {
				b = append(b, ", "[:1+r.IntN(2)]...)
			}
			b = append(b, randomJSON(r, depth+1)...)
		}
		return append(b, ']')
	case k == 4:
		return fmt.Append(nil, r.Int64N(2000)-1000)
	case k == 5:
		return []byte([]string{"true", "false", "null", "1.5", "2e2"}[r.IntN(5)])
	default:
		return []byte(strs[r.IntN(len(strs))])
	}
}

// FuzzCanonicalizeJSONAgainstReference compares CanonicalizeJSON with
// the reference on any input.
func FuzzCanonicalizeJSONAgainstReference(f *testing.F) {
	f.Add([]byte(`{"b":1,"a":[true,"x\u00e9"],"a":{"d":-1}}`))
	f.Add([]byte("\"\xff\""))
	f.Fuzz(func(t *testing.T, in []byte) { checkAgainstReference(t, in) })
}

// BenchmarkCanonicalBlock canonicalizes a block of 64 signed manifests,
// as hashing a block does, against the reference route.
func BenchmarkCanonicalBlock(b *testing.B) {
	tc := newTestChain(b)
	var ms []Manifest
	for i := range 64 {
		ms = append(ms, tc.manifest(b, fmt.Sprint("batch-", i), int64(i+1)))
	}
	raw, err := json.Marshal(Block{Height: 1, Manifests: ms})
	if err != nil {
		b.Fatal(err)
	}
	b.Run("one-pass", func(b *testing.B) {
		b.SetBytes(int64(len(raw)))
		for b.Loop() {
			if _, err := CanonicalizeJSON(raw); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("reference", func(b *testing.B) {
		b.SetBytes(int64(len(raw)))
		for b.Loop() {
			if _, err := referenceCanonical(raw); err != nil {
				b.Fatal(err)
			}
		}
	})
}
