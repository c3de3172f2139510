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
		{expr: `"{first} {last}"`, want: "Ada Lovelace"},
		{expr: `{first} {last}`, want: "Ada Lovelace"}, // as YAML hands over "{first} {last}"
		{expr: `"{blank} {missing}"`, want: ""},
		{expr: `"{blank}-{first}"`, want: "-Ada"},
		{expr: `"{{{first}}} {{x}}"`, want: "{Ada} {x}"},
		{expr: `"{ Date of Birth }"`, want: "1815-12-10"},
		{expr: `"FR"`, want: "FR"},
		{expr: `"{{}}"`, want: "{}"},
		{expr: `code("{sexe}", sex)`, want: "F"},
		{expr: `default("{blank}", "{first}!")`, want: "Ada!"},
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
		{`"{street} {number"`, "at 11: unterminated placeholder"},
		{`"ab {}"`, "at 5: empty placeholder"},
		{`"a } b"`, "at 4: } without its {"},
		{`"{a{b}}"`, "at 2: unterminated placeholder"},
	} {
		_, err := ParseExpr(tc.expr)
		if err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("%s: error %v, want %q", tc.expr, err, tc.err)
		}
	}
}

// A template is the concat of its pieces: it prints as written, labels
// its column in rejects so, and errors of a bare template (a YAML value)
// name their position in it.
func TestTemplate(t *testing.T) {
	e, err := ParseMapping("{street} {number}")
	if err != nil {
		t.Fatal(err)
	}
	call, ok := e.root.(*call)
	if !ok || call.fn != "concat" || len(call.args) != 3 {
		t.Fatalf("template compiled to %#v, want a concat of 3 pieces", e.root)
	}
	if got := e.String(); got != `"{street} {number}"` {
		t.Errorf("printed %s", got)
	}
	if got := strings.Join(e.Columns(), ","); got != "street,number" {
		t.Errorf("columns %s", got)
	}
	if e, _ := ParseMapping(`"a {{b}} \\"`); e.String() != `"a {{b}} \\"` {
		t.Errorf("a constant with braces printed %s", e.String())
	} else if _, isLit := e.root.(literal); !isLit {
		t.Errorf("a string without placeholders is %T, want a constant", e.root)
	}
	if e, _ := ParseMapping("Date of Birth"); e.String() != "`Date of Birth`" {
		t.Errorf("a value without braces is %s, want the column", e)
	}
	for _, tc := range []struct{ value, err string }{
		{"{street} {number", `expression "{street} {number": at 10: unterminated placeholder`},
		{"x }", "at 3: } without its {"},
		{"{}", "at 1: empty placeholder"},
	} {
		if _, err := ParseMapping(tc.value); err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("%s: error %v, want %q", tc.value, err, tc.err)
		}
	}
	m, err := CompileMapping(schemas.Patient, map[string]string{"address": "{number} {street}"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	i := schemas.Patient.Index("address")
	if got, _ := m.Text(i, record("number", "12", "street", "rue des Lilas")); got != "12 rue des Lilas" {
		t.Errorf("address = %q", got)
	}
	if got, _ := m.Text(i, record("number", "", "street", "")); got != "" {
		t.Errorf("address of empty columns = %q, want no value", got)
	}
	if l := m.Label(i); l != `address ("{number} {street}")` {
		t.Errorf("label %q", l)
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
	for _, s := range []string{"a", `concat(a, " ", b)`, `"{a} {{b}} {c d}"`, `"{}"`, "code(x, t, \"U\")", "default(`A b`, \"\\n\")", "upper(trim(lower(x)))", "((", `"\"`} {
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
