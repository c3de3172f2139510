package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestProgressLogged: where no terminal shows a bar, a long read logs its
// progress (rows, rate, bytes) at the interval asked.
func TestProgressLogged(t *testing.T) {
	dir, cfg := newDeployment(t)
	mustCode(t, ha(t, nil, "gen", "--kind", "csv", "--rows", "40000", "--bad", "0", "--out", filepath.Join(dir, "inbox/csv/patients-big.csv")), 0, "gen")
	r := ha(t, nil, "--config", cfg, "--progress-every", "1ms", "run", "patients-csv")
	mustCode(t, r, 0, "run")
	var line string
	for _, l := range strings.Split(r.stderr, "\n") {
		if strings.Contains(l, `"msg":"reading"`) {
			line = l
		}
	}
	if line == "" {
		t.Fatalf("no progress line in the logs:\n%s", r.stderr)
	}
	for _, want := range []string{`"job":"patients-csv"`, `"rows":`, `"rows_per_s":`, `"bytes_total":`} {
		if !strings.Contains(line, want) {
			t.Errorf("progress line %s lacks %s", line, want)
		}
	}
}
