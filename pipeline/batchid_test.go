package pipeline

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/healthanchor/healthanchor/anchor"
	"github.com/healthanchor/healthanchor/connectors"

	_ "github.com/healthanchor/healthanchor/connectors/hl7"
	_ "github.com/healthanchor/healthanchor/connectors/sql"
)

// TestResumeLegacyWindow plays a release before the keyed watermark
// digest: it anchored a window under the legacy batch id and crashed
// before publishing. The next run must find that batch on the chain and
// publish it, not anchor the window a second time under a new id.
func TestResumeLegacyWindow(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "d")
	cfgPath, _, err := SetupDemo(dir, os.DirFS("../testdata/demo"), nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := LoadConfig(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	n, err := Open(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	job, _ := cfg.Job("patients-csv")

	// The old release: plan, record the window as pending, extract and
	// anchor under legacy ids, then stop.
	conn, err := connectors.Open(job.Connector, job.Options, connectors.Env{
		Logger: n.Logger, Location: cfg.Location(), BaseDir: cfg.Dir(), Progress: &connectors.Progress{},
		Digests: connectors.LoadDigestCache(nil),
	})
	if err != nil {
		t.Fatal(err)
	}
	window, ok, err := n.plan(ctx, conn, job.Name, nil)
	if err != nil || !ok {
		t.Fatalf("plan: %v %v", ok, err)
	}
	if err := n.State.SetPending(ctx, job.Name, window); err != nil {
		t.Fatal(err)
	}
	old := &jobWork{job: job, window: window, source: conn.Source(), progress: &connectors.Progress{}, legacyIDs: true}
	if err := n.extract(ctx, conn, old); err != nil {
		t.Fatal(err)
	}
	if err := n.anchorAll(ctx, []*jobWork{old}); err != nil {
		t.Fatal(err)
	}
	legacy := anchor.LegacyBatchID(job.Name, conn.Source(), "patient/1", false, window.From, window.To)
	if old.batches[0].id != legacy {
		t.Fatalf("the old release's batch is %s, want the legacy id %s", old.batches[0].id, legacy)
	}

	results, err := n.Run(ctx, RunOptions{Jobs: []string{job.Name}})
	if err != nil {
		t.Fatalf("run: %v %+v", err, results)
	}
	if got := results[0].Batches; len(got) != 1 || got[0].BatchID != legacy {
		t.Fatalf("the resumed run published %+v, want the one legacy batch %s", got, legacy)
	}
	if seq, _ := n.Chain.NextProducerSeq(ctx, cfg.Agency.ID); seq != 2 {
		t.Errorf("the chain holds %d manifests of the agency, want 1: the window was anchored twice", seq-1)
	}
	if _, _, err := n.VerifyAll(ctx); err != nil {
		t.Fatal(err)
	}
	// The next window is new: it gets a keyed id.
	if err := os.WriteFile(filepath.Join(dir, "inbox/csv/patients-more.csv"), []byte("patient_id,family_name,given_name,birth_date,sex,updated_at\nZ1,Doe,Jane,1990-01-01,F,2026-11-30T08:00:00Z\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	results, err = n.Run(ctx, RunOptions{Jobs: []string{job.Name}})
	if err != nil {
		t.Fatalf("run: %v %+v", err, results)
	}
	w, _ := n.State.Watermark(ctx, job.Name)
	if got, want := results[0].Batches[0].BatchID, n.watermarkKey.BatchID(job.Name, conn.Source(), "patient/1", false, window.To, w); got != want {
		t.Errorf("the next window's batch is %s, want the keyed id %s", got, want)
	}
}
