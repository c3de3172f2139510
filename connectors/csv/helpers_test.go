package csv

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/goccy/go-yaml"

	"github.com/healthanchor/healthanchor/connectors"
	"github.com/healthanchor/healthanchor/connectors/connectortest"
)

const samples = "../../testdata/csv"

// openSample opens the connector over testdata/csv/name with the options
// of its sidecar .yaml file.
func openSample(t testing.TB, name string) connectors.Connector {
	t.Helper()
	ext := filepath.Ext(name)
	b, err := os.ReadFile(filepath.Join(samples, name[:len(name)-len(ext)]+".yaml"))
	if err != nil {
		t.Fatal(err)
	}
	opts := connectors.Options{}
	if err := yaml.Unmarshal(b, &opts); err != nil {
		t.Fatal(err)
	}
	opts["input"] = name
	c, err := connectors.Open("csv", opts, connectors.Env{BaseDir: samples})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// openOpts opens a connector over dir with the given options.
func openOpts(t testing.TB, dir string, opts connectors.Options) connectors.Connector {
	t.Helper()
	c, err := connectors.Open("csv", opts, connectors.Env{BaseDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// readAll plans from and reads the window, returning the records and the
// new watermark.
func readAll(t testing.TB, c connectors.Connector, from connectors.Watermark) ([]connectors.Record, connectors.Watermark) {
	t.Helper()
	res, err := connectortest.ReadAll(t, c, from)
	if err != nil {
		t.Fatal(err)
	}
	return res.Records, res.Watermark
}

// writeFile writes content to dir/name.
func writeFile(t testing.TB, dir, name, content string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
