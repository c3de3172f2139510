package csv

import (
	"strings"
	"testing"

	"github.com/healthanchor/healthanchor/connectors"
	"github.com/healthanchor/healthanchor/connectors/connectortest"
)

// TestMappingExpressions maps a file with a template, a code table
// (with an unknown code rejected by name), a default and upper-casing.
func TestMappingExpressions(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "p.csv", "ID;Rue;Num;Sexe;Ville\n1;rue de la Paix;12;1;paris\n2;;;2;\n3;quai Voltaire;3;7;Lyon\n")
	c := openOpts(t, dir, connectors.Options{
		"input": "p.csv", "delimiter": ";",
		"mapping": map[string]any{
			"patient_id": "ID", "address": "{Num} {Rue}", "sex": "code(Sexe, sexe)",
			"city": `default(upper(Ville), "INCONNUE")`,
		},
		"codes": map[string]any{"sexe": map[string]any{"1": "M", "2": "F"}},
	})
	recs, _ := readAll(t, c, nil)
	var got []string
	for _, r := range recs {
		got = append(got, string(connectortest.RecordJSON(r)))
	}
	all := strings.Join(got, "\n")
	for _, want := range []string{
		`"address":"12 rue de la Paix"`, `"city":"PARIS"`, `"sex":"M"`,
		`"address":null`, `"city":"INCONNUE"`, `"sex":"F"`,
		`p.csv:4: sex (code(Sexe, sexe)): \"7\" is not in code table sexe`,
	} {
		if !strings.Contains(all, want) {
			t.Errorf("records lack %s:\n%s", want, all)
		}
	}
	if _, err := connectors.Open("csv", connectors.Options{"input": "p.csv", "mapping": map[string]any{"sex": "code(Sexe, nosuch)"}}, connectors.Env{BaseDir: dir}); err == nil ||
		!strings.Contains(err.Error(), `mapping.sex: code table "nosuch" is not in codes`) {
		t.Errorf("an unknown code table: %v", err)
	}
}

// TestCodeTablesOlderName reads code tables under code_tables, the older
// name of codes, and refuses a job that gives both.
func TestCodeTablesOlderName(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "p.csv", "ID;Sexe\n1;2\n")
	tables := map[string]any{"sexe": map[string]any{"1": "M", "2": "F"}}
	opts := func(keys ...string) connectors.Options {
		o := connectors.Options{"input": "p.csv", "delimiter": ";", "mapping": map[string]any{"patient_id": "ID", "sex": "code(Sexe, sexe)"}}
		for _, k := range keys {
			o[k] = tables
		}
		return o
	}
	recs, _ := readAll(t, openOpts(t, dir, opts("code_tables")), nil)
	if len(recs) != 1 || !strings.Contains(string(connectortest.RecordJSON(recs[0])), `"sex":"F"`) {
		t.Errorf("code_tables not read: %d records", len(recs))
		for _, r := range recs {
			t.Log(string(connectortest.RecordJSON(r)))
		}
	}
	_, err := connectors.Open("csv", opts("codes", "code_tables"), connectors.Env{BaseDir: dir})
	if err == nil || !strings.Contains(err.Error(), "csv: codes: the code tables are given twice") {
		t.Errorf("codes and code_tables both given: %v", err)
	}
}
