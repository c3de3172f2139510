package csv

import (
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"unicode/utf8"

	"github.com/goccy/go-yaml"

	"github.com/healthanchor/healthanchor/connectors"
	"github.com/healthanchor/healthanchor/connectors/connectortest"
	"github.com/healthanchor/healthanchor/schemas"
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

// recordJSON is the golden form of a record: a row's columns as canonical
// strings (null when absent), or a reject with its reason and raw bytes.
func recordJSON(r connectors.Record) []byte {
	m := map[string]any{"ref": r.SourceRef}
	if r.Reject != nil {
		m["reject"] = r.Reject.Reason
		if utf8.Valid(r.Reject.Raw) {
			m["raw"] = string(r.Reject.Raw)
		} else {
			m["raw_hex"] = hex.EncodeToString(r.Reject.Raw)
		}
	} else {
		row := map[string]any{}
		for i, f := range r.Schema.Fields {
			if f.Name == schemas.ColSalt {
				continue
			}
			row[f.Name] = cellText(f, r.Row[i])
		}
		m["row"] = row
	}
	b, err := json.Marshal(m)
	if err != nil {
		panic(err)
	}
	return b
}

// cellText is a value in its canonical text form (docs/format.md), or nil.
func cellText(f schemas.Field, v schemas.Value) any {
	if !v.Set {
		return nil
	}
	switch f.Kind {
	case schemas.Date:
		return string(schemas.AppendDate(nil, v.Num))
	case schemas.Timestamp:
		return string(schemas.AppendTimestamp(nil, v.Num))
	case schemas.Decimal:
		return string(schemas.AppendDecimal(nil, v.Num, f.Scale))
	case schemas.Int:
		return strconv.FormatInt(v.Num, 10)
	case schemas.Bool:
		return strconv.FormatBool(v.Num != 0)
	case schemas.Binary:
		return hex.EncodeToString([]byte(v.Str))
	}
	return v.Str
}
