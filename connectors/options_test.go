package connectors

import (
	"reflect"
	"testing"
)

func TestParseSet(t *testing.T) {
	got, err := ParseSet([]string{
		`date_formats=["01/02/2006", "2006-01-02"]`,
		`mapping={patient_id: MRN}`,
		`mapping.family_name=NOM`,
		`batch=12`,
		`header=false`,
		`delimiter=;`,
		`note=a: b`,
		`dash=- x`,
	})
	if err != nil {
		t.Fatal(err)
	}
	want := Options{
		"date_formats": []any{"01/02/2006", "2006-01-02"},
		"mapping":      map[string]any{"patient_id": "MRN", "family_name": "NOM"},
		"batch":        uint64(12),
		"header":       false,
		"delimiter":    ";",
		"note":         "a: b",
		"dash":         "- x",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ParseSet = %#v\nwant %#v", got, want)
	}
	for _, bad := range []string{`x=["a"`, `x={a: `, `=1`, `novalue`} {
		if _, err := ParseSet([]string{bad}); err == nil {
			t.Errorf("ParseSet(%q): no error", bad)
		}
	}
}
