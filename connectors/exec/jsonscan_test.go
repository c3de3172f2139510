package exec

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// FuzzRecordProps checks the replay's scanner against encoding/json on
// valid JSON objects: same keys, same values as text.
func FuzzRecordProps(f *testing.F) {
	for _, s := range []string{
		`{"a":"x","b":1.5,"c":null,"d":true,"e":{"f":[1,"]}"]},"g":"\u00e9\"\\"}`,
		`{}`, `{"a" : "b" , "c":[ ]}`, `{"\u0041":"k"}`, "{\"é\":\"café\",\"b\":\"\xff\"}", `{"b":"x","b":"y"}`,
		// Runs of eight plain bytes and more, broken by escapes and UTF-8.
		`{"patient_identifier":"P0000000123456789\"quoted\"0123456789","city_name":"Besançon-les-Bains 25000"}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var want map[string]json.RawMessage
		if json.Unmarshal([]byte(s), &want) != nil || want == nil {
			return
		}
		var p recordProps
		b := []byte(s)
		if end, err := p.loadAt(b, skipSpace(b, 0)); err != nil || skipSpace(b, end) != len(b) {
			t.Fatalf("%q: %v", s, err)
		}
		for k, raw := range want {
			if len(p.ends) != len(want) {
				break // a duplicate key: encoding/json keeps the last, the scanner either
			}
			var v any
			json.Unmarshal(raw, &v)
			got, set := p.get(k)
			switch v := v.(type) {
			case nil:
				if set {
					t.Errorf("%q: %s is null, got %q", s, k, got)
				}
			case string:
				if got != v {
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

// FuzzCheckedMembers checks the spooling's strict scanner against
// encoding/json.Valid: it accepts exactly the valid JSON objects, and
// finds the same members as the replay's scanner.
func FuzzCheckedMembers(f *testing.F) {
	for _, s := range []string{
		`{"type":"RECORD","stream":"s","record":{"a":[1,-2.5e+3,true,false,null,"\u00e9\n"]}}`,
		`{}`, ` {"a" : 0 } `, `[1]`, `{"a":01}`, `{"a":1.}`, `{"a":"\x"}`, `{"a":"` + "\t" + `"}`,
		`{"a":1} x`, `{"a":tru}`, `{"a":[1,]}`, `{"a":{"b":1,}}`, `{"a":-}`, `{"a":1e}`, `{"a":"\u12G4"}`,
		`{"long_key_name_here":"abcdefghijklmnop\"qrstuvwx\\yz0123456789é","x":"abcdefgh` + "\x01" + `ijklmnop"}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b := []byte(s)
		want := json.Valid(b) && bytes.HasPrefix(bytes.TrimLeft(b, " \t\r\n"), []byte("{"))
		var got, again []string
		err := checkedMembers(b, func(k, v []byte) error {
			got = append(got, string(k)+"="+string(v))
			return nil
		})
		if (err == nil) != want {
			t.Fatalf("checkedMembers(%q) = %v, json.Valid says %v", s, err, want)
		}
		if err != nil {
			return
		}
		members(b, func(k, v []byte) error {
			again = append(again, string(k)+"="+string(v))
			return nil
		})
		if strings.Join(got, "\x00") != strings.Join(again, "\x00") {
			t.Errorf("%q: checked members %q, replay members %q", s, got, again)
		}
	})
}

// The strict scanner refuses nesting deeper than encoding/json does.
func TestCheckedMembersDepth(t *testing.T) {
	deep := `{"a":` + strings.Repeat("[", maxNesting) + strings.Repeat("]", maxNesting) + `}`
	if json.Valid([]byte(deep)) || checkedMembers([]byte(deep), func(k, v []byte) error { return nil }) == nil {
		t.Errorf("nesting of %d+1 accepted (json.Valid %v)", maxNesting, json.Valid([]byte(deep)))
	}
	ok := `{"a":` + strings.Repeat("[", maxNesting-1) + strings.Repeat("]", maxNesting-1) + `}`
	if !json.Valid([]byte(ok)) || checkedMembers([]byte(ok), func(k, v []byte) error { return nil }) != nil {
		t.Errorf("nesting of %d refused (json.Valid %v)", maxNesting, json.Valid([]byte(ok)))
	}
}

// FuzzAppendString checks string decoding against encoding/json:
// escapes, surrogate pairs, lone surrogates and bytes that are not UTF-8.
func FuzzAppendString(f *testing.F) {
	for _, s := range []string{`"a"`, `"ab\"c"`, "\"é\\n\xffà\"", `"\u00e9\n\t\"\\\/\b\f\r"`, `"\ud83d\ude00"`, `"\ud83d"`, `"\ud83dx"`, `"\ude00\ud83d"`, "\"\xff\xfe\"", `"\ud83d\u0041"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b := []byte(s)
		var want string
		if len(b) < 2 || b[0] != '"' || b[len(b)-1] != '"' || json.Unmarshal(b, &want) != nil {
			return
		}
		got, err := appendString([]byte("x"), b, true)
		if err != nil || string(got) != "x"+want {
			t.Errorf("appendString(%q) = %q, %v; want %q", s, got, err, "x"+want)
		}
		// The replay's one-pass decoder, with the string inside a line.
		line := append(append([]byte(`{"k":`), b...), '}')
		got, end, err := appendStringAt([]byte("x"), line, 5)
		if err != nil || string(got) != "x"+want || end != len(line)-1 {
			t.Errorf("appendStringAt(%q) = %q, %d, %v; want %q, %d", s, got, end, err, "x"+want, len(line)-1)
		}
	})
}
