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

// TestConfigCheckReportsEveryError: seven mistakes in one file are seven
// errors of one pass, each at its line and column, in file order.
func TestConfigCheckReportsEveryError(t *testing.T) {
	yaml := "agency: {id: a, key_file: k, salt_key_file: s}\n" + // 1
		"chain: {path: c, genesys: g}\n" + // 2: genesys
		"outptu_dir: x\n" + // 3: outptu_dir
		"timezone: Mars/Olympus\n" + // 4: zone
		"jobs:\n" + // 5
		"  - name: j\n" + // 6
		"    connector: csv\n" + // 7
		"    shedule: '@daily'\n" + // 8: shedule
		"    options:\n" + // 9
		"      input: x.csv\n" + // 10
		"      delimter: ';'\n" + // 11: delimter
		"      encodng: latin1\n" + // 12: encodng
		"  - name: k\n" + // 13
		"    connector: cvs\n" // 14: connector
	path := filepath.Join(t.TempDir(), "c.yaml")
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := LoadConfig(path)
	var ce ConfigErrors
	if !errors.As(err, &ce) {
		t.Fatalf("LoadConfig = %v, want ConfigErrors", err)
	}
	want := []string{"c.yaml:2:18: unknown field \"genesys\" (did you mean \"genesis\"?",
		"c.yaml:3:1: unknown field \"outptu_dir\"", "c.yaml:4:", "Mars/Olympus",
		"c.yaml:8:5: unknown field \"shedule\"", "c.yaml:11:7: unknown field \"delimter\"",
		"c.yaml:12:7: unknown field \"encodng\"", "c.yaml:14:", `connector "cvs" is unknown`}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("errors lack %q:\n%v", w, err)
		}
	}
	if len(ce) != 7 {
		t.Errorf("%d errors, want 7:\n%v", len(ce), err)
	}
	for i := 1; i < len(ce); i++ {
		if ce[i].Line < ce[i-1].Line {
			t.Errorf("errors out of file order:\n%v", err)
		}
	}
}
