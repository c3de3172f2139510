package pipeline

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/healthanchor/healthanchor/connectors/csv"
)

func TestConfigErrorsNameTheLine(t *testing.T) {
	cases := []struct {
		name, yaml string
		want       []string // substrings of the error, including file:line
	}{
		{"unknown top-level key", "agency:\n  id: a\n  key_file: k\n  salt_key_file: s\nchain:\n  path: c.db\noutput_dri: x\n",
			[]string{"c.yaml:7", "output_dri", "docs/config.md"}},
		{"unknown job key", "agency: {id: a, key_file: k, salt_key_file: s}\nchain: {path: c}\njobs:\n  - name: j\n    connector: csv\n    shedule: '@daily'\n",
			[]string{"c.yaml:6", "shedule"}},
		{"unknown connector", "agency: {id: a, key_file: k, salt_key_file: s}\nchain: {path: c}\njobs:\n  - name: j\n    connector: cvs\n",
			[]string{"c.yaml:5", `connector "cvs" is unknown`, "csv"}},
		{"bad schedule and bad option", "agency: {id: a, key_file: k, salt_key_file: s}\nchain: {path: c}\njobs:\n  - name: j\n    connector: csv\n    schedule: '61 * * * *'\n    options: {input: x.csv, delimter: ';'}\n",
			[]string{"c.yaml:6", "schedule", "c.yaml:7", "delimter"}},
		{"missing agency and bad zone", "chain: {path: c}\ntimezone: Mars/Olympus\n",
			[]string{"agency.id is missing", "c.yaml:2", "Mars/Olympus"}},
		{"duplicate job", "agency: {id: a, key_file: k, salt_key_file: s}\nchain: {path: c}\njobs:\n  - {name: j, connector: csv, options: {input: a}}\n  - {name: j, connector: csv, options: {input: b}}\n",
			[]string{"c.yaml:5", "used twice"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "c.yaml")
			os.WriteFile(path, []byte(c.yaml), 0o644)
			_, err := LoadConfig(path)
			var ce ConfigErrors
			if !errors.As(err, &ce) {
				t.Fatalf("LoadConfig = %v, want ConfigErrors", err)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error does not contain %q:\n%v", w, err)
				}
			}
		})
	}
}

func TestConfigDefaults(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.yaml")
	os.WriteFile(path, []byte("agency: {id: a, key_file: k, salt_key_file: s}\nchain: {path: c.db}\n"), 0o644)
	cfg, err := LoadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.State != "state.db" || cfg.OutputDir != "batches" || cfg.Listen != "127.0.0.1:9464" || cfg.Location().String() != "UTC" {
		t.Errorf("defaults: %+v", cfg)
	}
	if got := cfg.Path("c.db"); got != filepath.Join(filepath.Dir(path), "c.db") {
		t.Errorf("relative paths resolve to %s", got)
	}
}
