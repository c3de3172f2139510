package fhirndjson

import (
	"strconv"
	"strings"
	"testing"

	"github.com/healthanchor/healthanchor/connectors"
	"github.com/healthanchor/healthanchor/connectors/connectortest"
	"github.com/healthanchor/healthanchor/schemas"
)

// The mapping option replaces the fixed rules of its columns with paths
// and expressions over the resource: a local gender code maps through a
// code table instead of being rejected, and a code not in the table is a
// reject naming the value and the table.
func TestMapping(t *testing.T) {
	c := open(t, connectors.Options{
		"mapping": map[string]any{
			"Patient": map[string]any{
				"patient_id":  "identifier[1].value",
				"sex":         "code(gender, sex)",
				"family_name": "upper(name.family)",
				"given_name":  "default(`name.given[1]`, `name.given[0]`)",
				"country":     `"FR"`,
			},
			"Observation": map[string]any{"name": `concat(code.coding.display, " (", status, ")")`},
		},
		"codes": map[string]any{"sex": map[string]any{"male": "M", "female": "F", "femme": "F"}},
	})
	res, err := connectortest.ReadAll(t, c, nil)
	if err != nil {
		t.Fatal(err)
	}
	pats := map[string]map[string]string{}
	var reasons []string
	obsNames := 0
	for _, r := range res.Records {
		if r.Reject != nil {
			reasons = append(reasons, r.Reject.Reason)
			continue
		}
		m := map[string]string{}
		for i, f := range r.Schema.Fields {
			m[f.Name] = r.Row[i].Str
		}
		switch r.Schema {
		case schemas.Patient:
			pats[m["patient_id"]] = m
		case schemas.Observation:
			if strings.HasSuffix(m["name"], " (final)") || strings.HasSuffix(m["name"], " (amended)") {
				obsNames++
			}
		}
	}
	want := map[string]map[string]string{
		"MRN-0001": {"sex": "F", "family_name": "MEDHURST46", "given_name": "Larue605", "country": "FR"},
		"MRN-0002": {"sex": "M", "family_name": "COLE117", "given_name": "Devin82", "country": "FR"},
		"MRN-0004": {"sex": "F", "family_name": "BAD", "given_name": "Gender", "country": "FR"},
	}
	if len(pats) != len(want) {
		t.Errorf("patients %v, want %d", keys(pats), len(want))
	}
	for id, w := range want {
		for col, v := range w {
			if got := pats[id][col]; got != v {
				t.Errorf("%s %s = %q, want %q", id, col, got, v)
			}
		}
	}
	if obsNames != 3 {
		t.Errorf("%d observations named by the expression, want 3", obsNames)
	}
	wantReason := `testdata/export/Patient.000.ndjson:3: sex (code(gender, sex)): "unknown" is not in code table sex`
	found := false
	for _, r := range reasons {
		found = found || r == wantReason
		if strings.Contains(r, "femme") {
			t.Errorf("a gender in the code table was rejected: %s", r)
		}
	}
	if !found {
		t.Errorf("no reject %q among:\n%s", wantReason, strings.Join(reasons, "\n"))
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// Bad mappings are errors naming the option.
func TestMappingConfig(t *testing.T) {
	for _, tc := range []struct {
		mapping map[string]any
		want    string
	}{
		{map[string]any{"Condition": map[string]any{"code": "code"}}, "mapping.Condition: not a resource type read"},
		{map[string]any{"Patient": map[string]any{"sex": "code(gender, sexe)"}}, `mapping.Patient.sex: code table "sexe" is not in codes`},
		{map[string]any{"Patient": map[string]any{"nope": "gender"}}, `mapping.Patient: "nope" is not a column of patient/1`},
		{map[string]any{"Patient": map[string]any{"city": "address[x].city"}}, `mapping.Patient.city: path "address[x].city": "address[x]" is not NAME[N]`},
		{map[string]any{"Encounter": map[string]any{"class": "upper(class..code)"}}, `mapping.Encounter.class: path "class..code": "" is not an element name`},
	} {
		cfg := Config{}
		err := connectors.Decode(connectors.Options{"input": "x", "mapping": tc.mapping}, &cfg)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "fhir-ndjson: ") {
			t.Errorf("mapping %v: %v, want an error with %q", tc.mapping, err, tc.want)
		}
	}
}

func TestPathText(t *testing.T) {
	doc := map[string]any{
		"name":   []any{map[string]any{"family": "Doe", "given": []any{"Jane", "Q"}}},
		"active": true,
		"meta":   map[string]any{"tag": []any{}},
		"nil":    nil,
	}
	for _, tc := range []struct {
		path, want string
		ok         bool
	}{
		{"name.family", "Doe", true},
		{"name[0].given[1]", "Q", true},
		{"name.given", "Jane", true},
		{"name[1].family", "", false},
		{"active", "true", true},
		{"meta", `{"tag":[]}`, true},
		{"meta.tag", "", false},
		{"nil", "", false},
		{"absent.x", "", false},
	} {
		p, err := parsePath(tc.path)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := p.text(doc)
		if got != tc.want || ok != tc.ok {
			t.Errorf("%s = %q, %v; want %q, %v", tc.path, got, ok, tc.want, tc.ok)
		}
	}
}

// Whatever parsePath accepts prints back to the same path, and looking it
// up in a resource never panics.
func FuzzParsePath(f *testing.F) {
	for _, s := range []string{"gender", "identifier[1].value", "name.given[0]", "a[", "a..b", "x[-1]", "[0]"} {
		f.Add(s)
	}
	doc := map[string]any{"a": []any{map[string]any{"b": []any{"c", nil}}}, "identifier": []any{}}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := parsePath(s)
		if err != nil {
			return
		}
		parts := make([]string, len(p))
		for i, st := range p {
			parts[i] = st.name
			if st.index >= 0 {
				parts[i] += "[" + strconv.Itoa(st.index) + "]"
			}
		}
		if back := strings.Join(parts, "."); back != s {
			t.Errorf("parsePath(%q) prints back as %q", s, back)
		}
		p.text(doc)
	})
}

// A required column mapped to a path the resource lacks is a reject
// naming the column and its path (written as an expression).
func TestMappingRequired(t *testing.T) {
	c := open(t, connectors.Options{"mapping": map[string]any{"Patient": map[string]any{"patient_id": "identifier[5].value"}}})
	res, err := connectortest.ReadAll(t, c, nil)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, r := range res.Records {
		if r.Schema == schemas.Patient {
			t.Errorf("%s mapped without a patient_id", r.SourceRef)
		}
		if r.Reject != nil && strings.HasSuffix(r.Reject.Reason, ": patient_id (`identifier[5].value`): required, but the resource gives no value") {
			n++
		}
	}
	if n != 3 {
		t.Errorf("%d patients rejected for their missing patient_id, want 3 (the others fail their fixed rules first)", n)
	}
}
