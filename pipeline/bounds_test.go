package pipeline

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/healthanchor/healthanchor/connectors/csv"
	_ "github.com/healthanchor/healthanchor/connectors/hl7"
	_ "github.com/healthanchor/healthanchor/connectors/sql"
)

// Every number of a job is held to a range: the error names the field,
// its line and the range.
func TestConfigBounds(t *testing.T) {
	const head = "agency: {id: a, key_file: k, salt_key_file: s}\nchain: {path: c}\njobs:\n  - name: j\n"
	const sqlJob = head + "    connector: sql\n    options:\n      driver: sqlite\n      dsn: x.db\n      table: t\n      watermark: w\n      key: id\n"
	cases := []struct {
		name, yaml string
		want       []string
	}{
		{"batch_rows", head + "    connector: csv\n    batch_rows: 99999999999\n    options: {input: x.csv}\n",
			[]string{"c.yaml:6", "batch_rows 99999999999 is out of range (1 to 1048576"}},
		{"max_batch_rows", head + "    connector: csv\n    max_batch_rows: -3\n    options: {input: x.csv}\n",
			[]string{"c.yaml:6", "max_batch_rows -3 is out of range"}},
		{"every negative", head + "    connector: csv\n    schedule: '@every -5s'\n    options: {input: x.csv}\n",
			[]string{"c.yaml:6", "@every -5s is out of range (1s to 8784h0m0s)"}},
		{"every 1ns", head + "    connector: csv\n    schedule: '@every 1ns'\n    options: {input: x.csv}\n",
			[]string{"c.yaml:6", "@every 1ns is out of range"}},
		{"every with zone", head + "    connector: csv\n    schedule: 'CRON_TZ=UTC @every 500ms'\n    options: {input: x.csv}\n",
			[]string{"c.yaml:6", "@every 500ms is out of range"}},
		{"max_window", sqlJob + "      max_window: -1h\n", []string{"c.yaml:12", "max_window: -1h0m0s is out of range"}},
		{"lookback", sqlJob + "      lookback: 9000h\n", []string{"c.yaml:12", "lookback: 9000h0m0s is out of range (0 to 744h0m0s)"}},
		{"chunk_size", sqlJob + "      chunk_size: 99999999999\n", []string{"c.yaml:12", "chunk_size: 99999999999 is out of range"}},
		{"max_value_bytes", sqlJob + "      max_value_bytes: 12\n", []string{"c.yaml:12", "max_value_bytes: 12 is out of range (1024 to"}},
		{"max_message_bytes", head + "    connector: hl7\n    options:\n      input: x.hl7\n      max_message_bytes: 99999999999\n",
			[]string{"c.yaml:8", "max_message_bytes: 99999999999 is out of range"}},
		{"sql mapping expression", sqlJob + "      mapping:\n        patient_id: mrn\n        sex: code(sexe, sex)\n",
			[]string{"c.yaml:14:14", `mapping.sex: code table "sex" is not in codes`}},
		{"codes and code_tables", sqlJob + "      mapping: {sex: code(sexe, sex)}\n      codes: {sex: {\"1\": M}}\n      code_tables: {sex: {\"1\": M}}\n",
			[]string{"c.yaml:13", "sql: codes: the code tables are given twice, as codes and as code_tables"}},
		{"csv mapping expression", head + "    connector: csv\n    options:\n      input: x.csv\n      mapping:\n        city: upper(ville\n",
			[]string{"c.yaml:9:15", "mapping.city: expression"}},
		{"csv mapping template", head + "    connector: csv\n    options:\n      input: x.csv\n      mapping:\n        address: \"{numero} {rue\"\n",
			[]string{"c.yaml:9:18", `mapping.address: expression "{numero} {rue": at 10: unterminated placeholder`}},
		{"max_record_bytes", head + "    connector: csv\n    options:\n      input: x.csv\n      max_record_bytes: -1\n",
			[]string{"c.yaml:8", "max_record_bytes: -1 is out of range (64 to"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "c.yaml")
			os.WriteFile(path, []byte(c.yaml), 0o644)
			_, err := LoadConfig(path)
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error does not contain %q:\n%v", w, err)
				}
			}
		})
	}
	ok := head + "    connector: csv\n    schedule: '@every 15m'\n    batch_rows: 1000\n    options: {input: x.csv}\n"
	path := filepath.Join(t.TempDir(), "c.yaml")
	os.WriteFile(path, []byte(ok), 0o644)
	if _, err := LoadConfig(path); err != nil {
		t.Errorf("a config within range: %v", err)
	}
}
