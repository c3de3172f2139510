package connectors

import (
	"strings"
	"testing"

	"github.com/healthanchor/healthanchor/schemas"
)

func record(kv ...string) ColumnFunc {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(c string) (string, bool) { v, ok := m[c]; return v, ok }
}

func TestMappingExpressions(t *testing.T) {
	tables := CodeTables{"sex": {"1": "M", "2": "F"}, "visit": {"E": "EMER"}}
	rec := record("first", "Ada", "last", "Lovelace", "sexe", "2", "bad", "7", "blank", "", "Date of Birth", "1815-12-10", "pad", "  x ")
	for _, tc := range []struct{ expr, want, err string }{
		{expr: "first", want: "Ada"},
		{expr: "Date of Birth", want: "1815-12-10"}, // a header with spaces is a column, as before expressions
		{expr: "concat(first, \" \", last)", want: "Ada Lovelace"},
		{expr: "concat(blank, \" \", missing)", want: ""},
		{expr: "code(sexe, sex)", want: "F"},
		{expr: "code(bad, sex)", err: `"7" is not in code table sex`},
		{expr: "code(bad, sex, \"U\")", want: "U"},
		{expr: "code(blank, sex)", want: ""},
		{expr: "default(blank, \"U\")", want: "U"},
		{expr: "default(first, \"U\")", want: "Ada"},
		{expr: "upper(trim(pad))", want: "X"},
		{expr: "lower(`Date of Birth`)", want: "1815-12-10"},
		{expr: `"a \"q\" \\"`, want: `a "q" \`},
	} {
		e, err := ParseMapping(tc.expr)
		if err != nil {
			t.Errorf("%s: %v", tc.expr, err)
			continue
		}
		got, err := e.Eval(rec, tables)
		switch {
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%s: error %v, want %q", tc.expr, err, tc.err)
		case tc.err == "" && err != nil:
			t.Errorf("%s: %v", tc.expr, err)
		case got != tc.want:
			t.Errorf("%s = %q, want %q", tc.expr, got, tc.want)
		}
	}
}

func TestParseExprErrors(t *testing.T) {
	for _, tc := range []struct{ expr, err string }{
		{"concat(a, b", "missing )"},
		{"concat()", "takes one or more"},
		{"code(a)", "takes a value, a code table"},
		{`code(a, "t")`, "name of a code table"},
		{"upper(a, b)", "takes one argument"},
		{`"open`, "unterminated string"},
		{`"\x"`, "unknown escape"},
		{"trim(a) b", "after the expression"},
		{"nosuch(a)", "unknown function"},
		{strings.Repeat("trim(", 40) + "a" + strings.Repeat(")", 40), "nested deeper"},
	} {
		_, err := ParseExpr(tc.expr)
		if err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("%s: error %v, want %q", tc.expr, err, tc.err)
		}
	}
}

func TestCompileMapping(t *testing.T) {
	tables := CodeTables{"sex": {"1": "M"}}
	if _, err := CompileMapping(schemas.Patient, map[string]string{"sex": "code(s, nosuch)"}, tables); err == nil || !strings.Contains(err.Error(), `mapping.sex: code table "nosuch"`) {
		t.Errorf("unknown table: %v", err)
	}
	if _, err := CompileMapping(schemas.Patient, map[string]string{"shoe_size": "x"}, tables); err == nil {
		t.Error("a column not in the schema was accepted")
	}
	m, err := CompileMapping(schemas.Patient, map[string]string{"sex": "code(s, sex)"}, tables)
	if err != nil {
		t.Fatal(err)
	}
	i := schemas.Patient.Index("sex")
	if got, _ := m.Text(i, record("s", "1")); got != "M" {
		t.Errorf("sex = %q", got)
	}
	if got, _ := m.Text(schemas.Patient.Index("city"), record("city", "Paris")); got != "Paris" {
		t.Errorf("unmapped city = %q", got)
	}
	if l := m.Label(i); l != "sex (code(s, sex))" {
		t.Errorf("label %q", l)
	}
}

// FuzzParseExpr checks that parsing never panics and that a parsed
// expression prints to text that parses back to the same expression.
func FuzzParseExpr(f *testing.F) {
	for _, s := range []string{"a", `concat(a, " ", b)`, "code(x, t, \"U\")", "default(`A b`, \"\\n\")", "upper(trim(lower(x)))", "((", `"\"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := ParseExpr(s)
		if err != nil {
			return
		}
		printed := e.String()
		again, err := ParseExpr(printed)
		if err != nil {
			t.Fatalf("%q printed as %q, which does not parse: %v", s, printed, err)
		}
		if again.String() != printed {
			t.Fatalf("%q: %q reprints as %q", s, printed, again.String())
		}
		e.Eval(func(string) (string, bool) { return "v", true }, CodeTables{})
	})
}
