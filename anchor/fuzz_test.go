package anchor

import (
	"bytes"
	"encoding/json"
	"testing"
)

// FuzzCanonicalizeJSON checks that canonical JSON is a fixed point (its
// canonical form is itself), is valid JSON, and means what the input
// meant.
func FuzzCanonicalizeJSON(f *testing.F) {
	for _, s := range []string{
		`{"b":1,"a":[true,false,null,"x\u00e9\n"]}`, `{"z":{"y":"\u001f","x":-9}}`, `"<>&"`, `[]`, `{"a":1.5}`,
		`{"\u20ac":"€","a":"\"\\/"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		out, err := CanonicalizeJSON(in)
		if err != nil {
			return
		}
		again, err := CanonicalizeJSON(out)
		if err != nil || !bytes.Equal(again, out) {
			t.Fatalf("canonical form is not a fixed point:\n%s\n%s (%v)", out, again, err)
		}
		var a, b any
		if json.Unmarshal(in, &a) != nil {
			return
		}
		if err := json.Unmarshal(out, &b); err != nil {
			t.Fatalf("canonical form is not JSON: %s: %v", out, err)
		}
		ja, _ := json.Marshal(a)
		jb, _ := json.Marshal(b)
		if !bytes.Equal(ja, jb) {
			t.Fatalf("meaning changed:\n%s\n%s", ja, jb)
		}
	})
}
