package pipeline

import (
	"context"
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/healthanchor/healthanchor"
	_ "github.com/healthanchor/healthanchor/connectors/hl7"
	_ "github.com/healthanchor/healthanchor/connectors/sql"
)

// syncingAnchorer is an Anchorer of a replica: sync is what Sync answers.
type syncingAnchorer struct {
	Anchorer
	sync error
}

func (a syncingAnchorer) Sync(context.Context) error { return a.sync }

var _ syncer = syncingAnchorer{}

// TestFailedRunKeepsWindowOfUnknownFate checks what a run that fails
// while extracting does with its window on a replica: when the replica
// cannot catch up with its cluster, a batch of the window may be
// anchored there (a submission whose reply was lost), so the window is
// kept; a new window would take its records again. When the replica is
// caught up and the window is not on the chain, it is dropped as before.
func TestFailedRunKeepsWindowOfUnknownFate(t *testing.T) {
	samples, err := fs.Sub(healthanchor.DemoFS, "testdata/demo")
	if err != nil {
		t.Fatal(err)
	}
	cfgPath, _, err := SetupDemo(filepath.Join(t.TempDir(), "d"), samples, nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := LoadConfig(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	n, err := Open(cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	// The temporary folder is a file: every extraction fails.
	if err := os.MkdirAll(filepath.Dir(n.tmpDir()), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(n.tmpDir(), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	const job = "patients-csv"
	for _, c := range []struct {
		sync error
		kept bool
	}{{errors.New("no leader known"), true}, {nil, false}} {
		n.Anchorer = syncingAnchorer{Anchorer: localAnchorer{chain: n.Chain}, sync: c.sync}
		if _, err := n.Run(ctx, RunOptions{Jobs: []string{job}}); err == nil {
			t.Fatal("a run with no temporary folder succeeded")
		}
		_, kept, err := n.State.Pending(ctx, job)
		if err != nil {
			t.Fatal(err)
		}
		if kept != c.kept {
			t.Errorf("sync error %v: window kept %v, want %v", c.sync, kept, c.kept)
		}
	}
	if list, _ := n.Chain.Manifests(ctx); len(list) != 0 {
		t.Errorf("%d batches anchored by failing runs", len(list))
	}
}
