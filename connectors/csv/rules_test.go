package csv

import (
	"strings"
	"testing"

	"github.com/healthanchor/healthanchor/connectors"
	"github.com/healthanchor/healthanchor/connectors/connectortest"
	"github.com/healthanchor/healthanchor/schemas"
)

// TestRules reads small inputs written by each case and checks the rows
// and rejects: one case per rule of the format.
func TestRules(t *testing.T) {
	const hdr = "patient_id,family_name,birth_date\n"
	tests := []struct {
		name    string
		opts    connectors.Options
		content string
		// want is one line per record: "ref col=value ..." for a row,
		// "ref REJECT substring" for a reject.
		want []string
	}{
		{"comma", nil, hdr + "1,Doe,1970-01-02\n",
			[]string{"f.csv:2 patient_id=1 family_name=Doe birth_date=1970-01-02"}},
		{"semicolon", connectors.Options{"delimiter": ";"}, "patient_id;family_name\n1;Doe, Jr\n",
			[]string{"f.csv:2 patient_id=1 family_name=Doe, Jr"}},
		{"tab", connectors.Options{"delimiter": "\t"}, "patient_id\tfamily_name\n1\tDoe\n",
			[]string{"f.csv:2 patient_id=1 family_name=Doe"}},
		{"tab-escaped", connectors.Options{"delimiter": `\t`}, "patient_id\tfamily_name\n1\tDoe\n",
			[]string{"f.csv:2 patient_id=1 family_name=Doe"}},
		{"pipe", connectors.Options{"delimiter": "|"}, "patient_id|family_name\n1|Doe,J\n",
			[]string{"f.csv:2 patient_id=1 family_name=Doe,J"}},
		{"quoted-delimiter", nil, "patient_id,family_name\n1,\"Doe, J\"\n",
			[]string{"f.csv:2 patient_id=1 family_name=Doe, J"}},
		{"doubled-quote", nil, "patient_id,family_name\n1,\"O\"\"Hara\"\n",
			[]string{`f.csv:2 patient_id=1 family_name=O"Hara`}},
		{"bare-quote-is-text", nil, "patient_id,family_name\n1,O\"Hara\n",
			[]string{`f.csv:2 patient_id=1 family_name=O"Hara`}},
		{"quote-none", connectors.Options{"quote": "none"}, "patient_id,family_name\n\"1\",\"Doe\n",
			[]string{`f.csv:2 patient_id="1" family_name="Doe`}},
		{"single-quote", connectors.Options{"quote": "'"}, "patient_id,family_name\n1,'D''Arc, J'\n",
			[]string{`f.csv:2 patient_id=1 family_name=D'Arc, J`}},
		{"text-after-quote", nil, "patient_id,family_name\n1,\"Doe\"x\n2,Roe\n",
			[]string{`f.csv:2 REJECT f.csv:2: field 2: "x" after the closing quote`, "f.csv:3 patient_id=2 family_name=Roe"}},
		{"unclosed-quote", nil, "patient_id,family_name\n1,\"Doe\n2,Roe\n",
			[]string{"f.csv:2 REJECT not closed before the end of the file"}},
		{"bom", nil, "\uFEFF" + hdr + "1,Doe,1970-01-02\n",
			[]string{"f.csv:2 patient_id=1 family_name=Doe birth_date=1970-01-02"}},
		{"crlf", nil, "patient_id,family_name\r\n1,Doe\r\n2,\"Roe\"\r\n",
			[]string{"f.csv:2 patient_id=1 family_name=Doe", "f.csv:3 patient_id=2 family_name=Roe"}},
		{"no-final-newline", nil, "patient_id,family_name\n1,Doe",
			[]string{"f.csv:2 patient_id=1 family_name=Doe"}},
		{"embedded-newlines", nil, "patient_id,address\n1,\"a\nb\nc\"\n2,\"x\r\ny\"\n3,z\n",
			[]string{"f.csv:2 patient_id=1 address=a\nb\nc", "f.csv:5 patient_id=2 address=x\r\ny", "f.csv:7 patient_id=3 address=z"}},
		{"blank-lines", nil, "patient_id,family_name\n\n1,Doe\n\r\n\n2,Roe\n\n",
			[]string{"f.csv:3 patient_id=1 family_name=Doe", "f.csv:6 patient_id=2 family_name=Roe"}},
		{"windows-1252", connectors.Options{"encoding": "windows-1252"}, "patient_id,family_name\n1,\x8cuvray \x80\x96\x93\n",
			[]string{"f.csv:2 patient_id=1 family_name=Œuvray €–“"}},
		{"iso-8859-1", connectors.Options{"encoding": "latin1"}, "patient_id,family_name\n1,M\xfcller \xe9\n",
			[]string{"f.csv:2 patient_id=1 family_name=Müller é"}},
		{"invalid-utf8", nil, "patient_id,family_name\n1,M\xfcller\n2,Roe\n",
			[]string{`f.csv:2 REJECT f.csv:2: family_name: "M\xfcller" is not valid UTF-8`, "f.csv:3 patient_id=2 family_name=Roe"}},
		// The two halves of "é" in two fields, or on both sides of a
		// doubled quote, are not a character: each field is checked.
		{"utf8-split-across-fields", nil, "patient_id,family_name\n1\xc3,\xa9Doe\n",
			[]string{`f.csv:2 REJECT f.csv:2: patient_id: "1\xc3" is not valid UTF-8`}},
		{"utf8-split-by-doubled-quote", nil, "patient_id,family_name\n1,\"D\xc3\"\"\xa9\"\n",
			[]string{`f.csv:2 REJECT f.csv:2: family_name: "D\xc3\"\xa9" is not valid UTF-8`}},
		{"utf8-multibyte", nil, "patient_id,family_name\n山田,\"Łukasz \"\"😀\"\"\"\n",
			[]string{`f.csv:2 patient_id=山田 family_name=Łukasz "😀"`}},
		{"field-count", nil, hdr + "1,Doe\n2,Roe,1970-01-01,x\n3,Poe,\n",
			[]string{"f.csv:2 REJECT f.csv:2: record has 2 fields, want 3", "f.csv:3 REJECT record has 4 fields, want 3", "f.csv:4 patient_id=3 family_name=Poe birth_date=<null>"}},
		{"bad-date", nil, hdr + "1,Doe,31/02/1980\n",
			[]string{`f.csv:2 REJECT f.csv:2: birth_date: "31/02/1980" is not a date (expected`}},
		{"date-formats", connectors.Options{"date_formats": []any{"02.01.2006"}}, hdr + "1,Doe,24.11.1980\n2,Roe,1980-11-24\n",
			[]string{"f.csv:2 patient_id=1 family_name=Doe birth_date=1980-11-24", `f.csv:3 REJECT birth_date: "1980-11-24" is not a date (expected 02.01.2006)`}},
		{"required-empty", nil, hdr + ",Doe,1970-01-01\n",
			[]string{"f.csv:2 REJECT f.csv:2: patient_id is required"}},
		{"text-kept-exactly", nil, "patient_id,family_name,given_name\n 1 ,  Doe ,\n",
			[]string{"f.csv:2 patient_id= 1  family_name=  Doe  given_name=<null>"}},
		{"header-case-insensitive", nil, " Patient_ID ,FAMILY_NAME\n1,Doe\n",
			[]string{"f.csv:2 patient_id=1 family_name=Doe"}},
		{"mapping", connectors.Options{"mapping": map[string]any{"patient_id": "mrn", "family_name": "Nom"}}, "MRN,NOM,given_name\n1,Doe,Jo\n",
			[]string{"f.csv:2 patient_id=1 family_name=Doe given_name=Jo"}},
		{"mapping-missing-header", connectors.Options{"mapping": map[string]any{"patient_id": "MRN"}}, "patient_id,x\n1,2\n3,4\n",
			[]string{`f.csv:1 REJECT f.csv:1: mapping: header "MRN" (for patient_id) not found in the header (patient_id, x); whole file rejected`}},
		{"required-header-missing", nil, "family_name\nDoe\n",
			[]string{`f.csv:1 REJECT no header "patient_id" for the required column patient_id`}},
		{"duplicate-header", nil, "patient_id,family_name,FAMILY_NAME\n1,a,b\n",
			[]string{`f.csv:1 REJECT header "family_name" appears more than once`}},
		{"no-header", connectors.Options{"header": false}, "1,Doe,Jo,1970-01-02,m,,,,,,,\n",
			[]string{"f.csv:1 patient_id=1 family_name=Doe given_name=Jo birth_date=1970-01-02 sex=M"}},
		{"no-header-mapping", connectors.Options{"header": false, "mapping": map[string]any{"patient_id": "2", "family_name": "1"}}, "Doe,1\nRoe,2\nPoe\n",
			[]string{"f.csv:1 patient_id=1 family_name=Doe", "f.csv:2 patient_id=2 family_name=Roe", "f.csv:3 REJECT record has 1 fields, want 2"}},
		{"sex", nil, "patient_id,sex\n1,m\n2,Female\n3,H\n4,w\n5,other\n6,unknown\n7,u\n8,\n9,Z\n",
			[]string{"f.csv:2 sex=M", "f.csv:3 sex=F", "f.csv:4 sex=M", "f.csv:5 sex=F", "f.csv:6 sex=O", "f.csv:7 sex=U", "f.csv:8 sex=U", "f.csv:9 sex=<null>", `f.csv:10 REJECT sex: "Z" is not a known sex`}},
		{"timestamps-local", nil, "patient_id,updated_at\n1,2026-11-23 10:15:00\n2,2026-11-23T10:15:00Z\n3,2026-11-23T10:15:00+02:00\n",
			[]string{"f.csv:2 updated_at=2026-11-23T09:15:00.000000Z", "f.csv:3 updated_at=2026-11-23T10:15:00.000000Z", "f.csv:4 updated_at=2026-11-23T08:15:00.000000Z"}},
		{"bad-timestamp", connectors.Options{"time_formats": []any{"2006-01-02 15:04"}}, "patient_id,updated_at\n1,2026-11-23T10:15:00Z\n",
			[]string{`f.csv:2 REJECT updated_at: "2026-11-23T10:15:00Z" is not a timestamp (expected 2006-01-02 15:04)`}},
		{"record-too-long", connectors.Options{"max_record_bytes": 64}, "patient_id,family_name\n1,\"" + strings.Repeat("x", 100) + "\n2,Roe\n",
			[]string{"f.csv:2 REJECT record longer than 64 bytes"}},
		{"empty-file", nil, "", nil},
		{"header-only", nil, hdr, nil},
	}
	paris := mustLoc(t, "Europe/Paris")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFile(t, dir, "f.csv", tt.content)
			opts := connectors.Options{"input": "f.csv"}
			for k, v := range tt.opts {
				opts[k] = v
			}
			c, err := connectors.Open("csv", opts, connectors.Env{BaseDir: dir, Location: paris})
			if err != nil {
				t.Fatal(err)
			}
			recs, _ := readAll(t, c, nil)
			if len(recs) != len(tt.want) {
				for _, r := range recs {
					t.Logf("got %s", connectortest.RecordJSON(r))
				}
				t.Fatalf("got %d records, want %d", len(recs), len(tt.want))
			}
			for i, r := range recs {
				checkRecord(t, r, tt.want[i])
			}
		})
	}
}

// checkRecord checks r against "ref col=value ..." or "ref REJECT text".
func checkRecord(t *testing.T, r connectors.Record, want string) {
	t.Helper()
	ref, rest, _ := strings.Cut(want, " ")
	if r.SourceRef != ref {
		t.Errorf("source ref %q, want %q", r.SourceRef, ref)
	}
	if reason, ok := strings.CutPrefix(rest, "REJECT "); ok {
		if r.Reject == nil {
			t.Errorf("%s: got a row %s, want a reject with %q", ref, connectortest.RecordJSON(r), reason)
		} else if !strings.Contains(r.Reject.Reason, reason) {
			t.Errorf("%s: reject reason %q does not contain %q", ref, r.Reject.Reason, reason)
		}
		return
	}
	if r.Reject != nil {
		t.Errorf("%s: got reject %q, want a row", ref, r.Reject.Reason)
		return
	}
	// Values may hold spaces: split on " name=" for the schema's columns.
	for _, kv := range splitPairs(rest) {
		col, val, _ := strings.Cut(kv, "=")
		i := schemas.Patient.Index(col)
		if i < 0 {
			t.Fatalf("bad column %q in test", col)
		}
		got := connectortest.CellText(schemas.Patient.Fields[i], r.Row[i])
		if got == nil {
			got = "<null>"
		}
		if got != val {
			t.Errorf("%s: %s = %q, want %q", ref, col, got, val)
		}
	}
}

// splitPairs splits "a=1 b=x y c=2" at the spaces before a column name.
func splitPairs(s string) []string {
	var out []string
	for s != "" {
		next := -1
		for i := 1; i < len(s); i++ {
			if s[i-1] == ' ' {
				if name, _, ok := strings.Cut(s[i:], "="); ok && schemas.Patient.Index(name) >= 0 && !strings.Contains(name, " ") {
					next = i
					break
				}
			}
		}
		if next < 0 {
			return append(out, s)
		}
		out = append(out, s[:next-1])
		s = s[next:]
	}
	return out
}
