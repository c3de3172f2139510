package csv

import (
	"flag"
	"path/filepath"
	"strings"
	"testing"

	"github.com/healthanchor/healthanchor/connectors/connectortest"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/csv")

// TestGolden reads every sample of testdata/csv with the options of its
// .yaml file and compares the records, one JSON object a line, with its
// .golden.ndjson file.
func TestGolden(t *testing.T) {
	inputs, err := filepath.Glob(filepath.Join(samples, "*.[ct]sv"))
	if err != nil || len(inputs) == 0 {
		t.Fatalf("no samples: %v", err)
	}
	for _, in := range inputs {
		name := filepath.Base(in)
		t.Run(name, func(t *testing.T) {
			recs, _ := readAll(t, openSample(t, name), nil)
			golden := filepath.Join(samples, strings.TrimSuffix(name, filepath.Ext(name))+".golden.ndjson")
			connectortest.Golden(t, recs, golden, *update)
		})
	}
}
