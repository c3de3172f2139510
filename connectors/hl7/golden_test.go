package hl7

import (
	"bytes"
	"flag"
	"path/filepath"
	"strings"
	"testing"

	"github.com/healthanchor/healthanchor/connectors"
	"github.com/healthanchor/healthanchor/connectors/connectortest"
)

var update = flag.Bool("update", false, "rewrite the golden files of testdata/hl7")

// sampleDir is the repository's testdata/hl7, where the samples and their
// golden NDJSON live.
var sampleDir = filepath.Join("..", "..", "testdata", "hl7")

// openSample returns a connector over one sample file with opts added.
func openSample(t testing.TB, name string, opts connectors.Options) connectors.Connector {
	t.Helper()
	o := connectors.Options{"input": name}
	for k, v := range opts {
		o[k] = v
	}
	c, err := connectors.Open("hl7", o, connectors.Env{BaseDir: sampleDir})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// render is the golden form of records: one JSON object a line, rows as
// `preview` prints them, rejects with their reason.
func render(t testing.TB, recs []connectors.Record) []byte {
	t.Helper()
	var buf bytes.Buffer
	for _, r := range recs {
		var obj any
		if r.Reject != nil {
			obj = map[string]any{"reject": r.Reject.Reason, "source_ref": r.SourceRef, "target": r.Reject.Target, "raw_bytes": len(r.Reject.Raw)}
		} else {
			obj = r.Schema.Map(r.Row)
		}
		b, err := marshal(obj)
		if err != nil {
			t.Fatal(err)
		}
		buf.Write(b)
		buf.WriteByte('\n')
	}
	return buf.Bytes()
}

func TestGolden(t *testing.T) {
	samples, err := filepath.Glob(filepath.Join(sampleDir, "*.hl7"))
	if err != nil || len(samples) == 0 {
		t.Fatalf("no samples in %s (%v)", sampleDir, err)
	}
	for _, path := range samples {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			res, err := connectortest.ReadAll(t, openSample(t, name, nil), nil)
			if err != nil {
				t.Fatal(err)
			}
			got := render(t, res.Records)
			golden := strings.TrimSuffix(path, ".hl7") + ".golden.ndjson"
			connectortest.CompareGolden(t, got, golden, *update)
		})
	}
}
