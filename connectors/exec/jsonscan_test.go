package exec

import (
	"encoding/json"
	"testing"
)

// FuzzRecordProps checks the replay's scanner against encoding/json on
// valid JSON objects: same keys, same values as text.
func FuzzRecordProps(f *testing.F) {
	for _, s := range []string{
		`{"a":"x","b":1.5,"c":null,"d":true,"e":{"f":[1,"]}"]},"g":"\u00e9\"\\"}`,
		`{}`, `{"a" : "b" , "c":[ ]}`, `{"\u0041":"k"}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var want map[string]json.RawMessage
		if json.Unmarshal([]byte(s), &want) != nil || want == nil {
			return
		}
		var p recordProps
		if err := p.load([]byte(s)); err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		for k, raw := range want {
			var v any
			json.Unmarshal(raw, &v)
			got, set := p.get(k)
			switch v := v.(type) {
			case nil:
				if set {
					t.Errorf("%q: %s is null, got %q", s, k, got)
				}
			case string:
				// A duplicate key: encoding/json keeps the last, the scanner the first.
				if got != v && len(p.ends) == len(want) {
					t.Errorf("%q: %s = %q, want %q", s, k, got, v)
				}
			}
		}
	})
}

func TestIsString(t *testing.T) {
	for _, tc := range []struct {
		raw, want string
		ok        bool
	}{{`"RECORD"`, "RECORD", true}, {`"REC\u004fRD"`, "RECORD", true}, {`"RECORDS"`, "RECORD", false}, {`null`, "RECORD", false}, {`""`, "", true}} {
		if got := isString([]byte(tc.raw), tc.want); got != tc.ok {
			t.Errorf("isString(%s, %q) = %v", tc.raw, tc.want, got)
		}
	}
}
