package fhirndjson

import (
	"encoding/json"
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/healthanchor/healthanchor/connectors"
	"github.com/healthanchor/healthanchor/connectors/connectortest"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

func open(t *testing.T, opts connectors.Options) connectors.Connector {
	t.Helper()
	all := connectors.Options{"input": "testdata/export/*.ndjson", "source": "ehr-export"}
	for k, v := range opts {
		all[k] = v
	}
	c, err := connectors.Open("fhir-ndjson", all, connectors.Env{})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestConformance(t *testing.T) {
	connectortest.Run(t, connectortest.Case{
		Open:    func(t *testing.T) connectors.Connector { return open(t, nil) },
		Rows:    map[string]int{"patient/1": 3, "encounter/1": 3, "observation/1": 3},
		Rejects: 6,
		OpenBad: func(t *testing.T) connectors.Connector { return open(t, nil) },
	})
}

// TestGolden checks every row and reject reason of the example export,
// with patient_id taken from the MRN identifier (so that the Encounter
// whose subject is not in the export is a reject), and of the public
// lines of a Synthea export.
func TestGolden(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts connectors.Options
	}{
		{"logical-ids", nil},
		{"mrn", connectors.Options{"identifier_system": "http://hospital.example.org/mrn"}},
		// Public lines of a Synthea export (testdata/synthea/README.md).
		{"synthea-mrn", connectors.Options{"input": "testdata/synthea/*.ndjson", "identifier_system": "http://hospital.smarthealthit.org"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := connectortest.ReadAll(t, open(t, tc.opts), nil)
			if err != nil {
				t.Fatal(err)
			}
			var b strings.Builder
			for _, r := range res.Records {
				if r.Reject != nil {
					b.WriteString("REJECT " + r.Reject.Target + " " + r.Reject.Reason + "\n")
					continue
				}
				line, _ := json.Marshal(r.Schema.Map(r.Row))
				b.Write(line)
				b.WriteByte('\n')
			}
			path := "testdata/" + tc.name + ".golden"
			if *update {
				os.WriteFile(path, []byte(b.String()), 0o644)
			}
			want, _ := os.ReadFile(path)
			if b.String() != string(want) {
				t.Errorf("output differs from %s (go test -update rewrites it):\n%s", path, b.String())
			}
		})
	}
}
