package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestCLIUsageDetails: unknown job names are usage errors (exit 2), the
// text listings have headers and roots, and gen says what it wrote.
func TestCLIUsageDetails(t *testing.T) {
	_, cfg := newDeployment(t)

	r := ha(t, nil, "--config", cfg, "run", "no-such-job")
	mustCode(t, r, 2, "run of an unknown job")
	if !strings.Contains(r.stderr, `no job named "no-such-job"`) {
		t.Errorf("run of an unknown job does not name it:\n%s", r.stderr)
	}
	r = ha(t, nil, "--config", cfg, "runs", "--job", "no-such-job")
	mustCode(t, r, 2, "runs of an unknown job")

	r = ha(t, nil, "--config", cfg, "runs")
	mustCode(t, r, 0, "runs")
	if first, _, _ := strings.Cut(r.stdout, "\n"); !strings.HasPrefix(first, "RUN ") {
		t.Errorf("runs has no header: %q", first)
	}

	list := batches(t, cfg)
	r = ha(t, nil, "--config", cfg, "batches")
	mustCode(t, r, 0, "batches")
	if len(list) == 0 || !strings.Contains(r.stdout, list[0].MerkleRoot) || !strings.Contains(r.stdout, "MERKLE ROOT") {
		t.Errorf("batches text does not show the roots:\n%s", r.stdout)
	}

	r = ha(t, nil, "--config", cfg, "chain", "checkpoint")
	mustCode(t, r, 0, "chain checkpoint on a single node")
	if !strings.HasPrefix(r.stdout, "healthanchor-demo\n") || !strings.Contains(r.stdout, "\n— demo-hospital ") {
		t.Errorf("chain checkpoint on a single node:\n%s", r.stdout)
	}

	out := filepath.Join(t.TempDir(), "p.csv")
	r = ha(t, nil, "gen", "--kind", "csv", "--rows", "10", "--out", out)
	mustCode(t, r, 0, "gen")
	if !strings.Contains(r.stderr, "wrote 10 rows") {
		t.Errorf("gen is silent: %q", r.stderr)
	}
}
