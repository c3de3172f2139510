package connectortest

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"os"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/healthanchor/healthanchor/connectors"
	"github.com/healthanchor/healthanchor/schemas"
)

// RecordJSON is the golden form of a record, one JSON object: its source
// ref, and a row's columns as canonical text (docs/format.md; the salt,
// which the pipeline sets, left out) or a reject's reason and raw input
// (as text, or in hex when it is not UTF-8).
func RecordJSON(r connectors.Record) []byte {
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
			row[f.Name] = CellText(f, r.Row[i])
		}
		m["row"] = row
	}
	b, err := json.Marshal(m)
	if err != nil {
		panic(err)
	}
	return b
}

// CellText is a value in its canonical text form (docs/format.md), or nil
// when it is not set.
func CellText(f schemas.Field, v schemas.Value) any {
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

// Golden compares recs, one RecordJSON a line, with the golden file at
// path (CompareGolden).
func Golden(t testing.TB, recs []connectors.Record, path string, update bool) {
	t.Helper()
	var got bytes.Buffer
	for _, r := range recs {
		got.Write(RecordJSON(r))
		got.WriteByte('\n')
	}
	CompareGolden(t, got.Bytes(), path, update)
}

// CompareGolden compares got with the golden file at path, reporting each
// line that differs; with update it writes the file instead (read the
// change before committing it).
func CompareGolden(t testing.TB, got []byte, path string, update bool) {
	t.Helper()
	if update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if bytes.Equal(got, want) {
		return
	}
	gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
	for i := 0; i < len(gl) || i < len(wl); i++ {
		var g, w string
		if i < len(gl) {
			g = gl[i]
		}
		if i < len(wl) {
			w = wl[i]
		}
		if g != w {
			t.Errorf("%s line %d (run go test -update if the change is intended):\n got  %s\n want %s", path, i+1, g, w)
		}
	}
}
