package csv

import (
	"strings"
	"testing"

	"github.com/healthanchor/healthanchor/connectors"
)

func TestConfigDefaults(t *testing.T) {
	c, err := connectors.Open("csv", connectors.Options{"input": "x.csv"}, connectors.Env{})
	if err != nil {
		t.Fatal(err)
	}
	cfg := c.(*Connector).Config()
	if cfg.Source != "csv" || cfg.Schema != "patient/1" || cfg.Delimiter != "," || cfg.Quote != `"` ||
		cfg.Encoding != "utf-8" || !*cfg.Header || len(cfg.DateFormats) == 0 || len(cfg.TimeFormats) == 0 ||
		cfg.MaxRecordBytes != DefaultMaxRecordBytes {
		t.Errorf("defaults: %+v", cfg)
	}
	if c.Source() != "csv" || len(c.Schemas()) != 1 || c.Schemas()[0].ID() != "patient/1" {
		t.Errorf("Source %q Schemas %v", c.Source(), c.Schemas())
	}
}

// TestConfigErrors checks that each bad option is refused with its name.
func TestConfigErrors(t *testing.T) {
	tests := []struct {
		opts connectors.Options
		want string
	}{
		{connectors.Options{}, "input: required"},
		{connectors.Options{"input": "x", "schema": "patient/9"}, "schema:"},
		{connectors.Options{"input": "x", "delimiter": ":"}, "delimiter:"},
		{connectors.Options{"input": "x", "quote": "ab"}, "quote:"},
		{connectors.Options{"input": "x", "quote": ","}, "quote:"},
		{connectors.Options{"input": "x", "encoding": "ebcdic"}, "encoding:"},
		{connectors.Options{"input": "x", "date_formats": []any{"DD/MM/YYYY"}}, "date_formats[0]:"},
		{connectors.Options{"input": "x", "time_formats": []any{""}}, "time_formats[0]:"},
		{connectors.Options{"input": "x", "mapping": map[string]any{"nope": "A"}}, "mapping:"},
		{connectors.Options{"input": "x", "mapping": map[string]any{"source": "A"}}, "mapping:"},
		{connectors.Options{"input": "x", "header": false, "mapping": map[string]any{"patient_id": "A"}}, "mapping: patient_id"},
		{connectors.Options{"input": "x", "max_record_bytes": 3}, "max_record_bytes:"},
		{connectors.Options{"input": "x", "delimitr": ";"}, "delimitr"},
	}
	for _, tt := range tests {
		_, err := connectors.Open("csv", tt.opts, connectors.Env{})
		if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "csv: ") {
			t.Errorf("%v: err = %v, want csv: ... %s", tt.opts, err, tt.want)
		}
	}
}

func TestParseDecimal(t *testing.T) {
	tests := []struct {
		in    string
		scale int32
		want  int64
		ok    bool
	}{
		{"12.5", 2, 1250, true}, {"-0.5", 2, -50, true}, {"+3", 1, 30, true}, {"7.", 2, 700, true},
		{".25", 2, 25, true}, {"1.234", 2, 0, false}, {"1,2", 2, 0, false}, {"-", 2, 0, false},
		{"99999999999999999999", 0, 0, false}, {"1e3", 0, 0, false},
	}
	for _, tt := range tests {
		v, err := connectors.ParseDecimal(tt.in, tt.scale)
		if (err == nil) != tt.ok || (tt.ok && v.Num != tt.want) {
			t.Errorf("parseDecimal(%q, %d) = %v, %v; want %d ok=%v", tt.in, tt.scale, v, err, tt.want, tt.ok)
		}
	}
}

func TestParseBool(t *testing.T) {
	for in, want := range map[string]int64{"true": 1, "YES": 1, "1": 1, "false": 0, "No": 0, "0": 0} {
		v, err := parseBool(in)
		if err != nil || v.Num != want || !v.Set {
			t.Errorf("parseBool(%q) = %v, %v", in, v, err)
		}
	}
	if _, err := parseBool("maybe"); err == nil {
		t.Error("parseBool(maybe) succeeded")
	}
}
