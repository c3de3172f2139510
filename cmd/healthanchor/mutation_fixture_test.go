package main

import (
	"os"
	"path/filepath"
	"testing"
)

// mutationFixture is the deployment the harness damages: the demo, plus
// two more runs so that the chain has several blocks and checkpoints and
// bundles of the first block carry a consistency proof.
type mutationFixture struct {
	dir, cfg string
	list     []listed
}

func newMutationFixture(t *testing.T) *mutationFixture {
	t.Helper()
	dir, cfg := newDeployment(t)
	if err := os.WriteFile(filepath.Join(dir, "inbox/csv/patients-extra.csv"), []byte(extraCSV), 0o600); err != nil {
		t.Fatal(err)
	}
	mustCode(t, ha(t, nil, "--config", cfg, "run"), 0, "run with one more export")
	dropGenerated(t, dir, "patients-gen.csv", 40, 7)
	mustCode(t, ha(t, nil, "--config", cfg, "run"), 0, "run with a generated export")
	return &mutationFixture{dir: dir, cfg: cfg, list: batches(t, cfg)}
}

// work returns a fresh folder for the harness's own files.
func (fx *mutationFixture) work(t *testing.T, name string) string {
	t.Helper()
	d := filepath.Join(fx.dir, "mutation-"+name)
	if err := os.MkdirAll(d, 0o700); err != nil {
		t.Fatal(err)
	}
	return d
}

// pick returns a random element of xs.
func pick[T any](rng interface{ IntN(int) int }, xs []T) T { return xs[rng.IntN(len(xs))] }
