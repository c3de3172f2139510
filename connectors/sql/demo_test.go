package sql

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/healthanchor/healthanchor/connectors"
	"github.com/healthanchor/healthanchor/connectors/sql/internal/legacydb"
)

var update = flag.Bool("update", false, "rewrite testdata/demo/sql/legacy.sql from the generator")

const demoScript = "../../testdata/demo/sql/legacy.sql"

// The committed demo script is what the generator writes.
func TestDemoScriptGolden(t *testing.T) {
	var buf bytes.Buffer
	if err := legacydb.Write(&buf); err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile(demoScript, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(demoScript)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, buf.Bytes()) {
		t.Errorf("%s differs from the generator's output; run go test ./connectors/sql -run Golden -update", demoScript)
	}
}

// The demo database loads from its script, and the demo jobs read it:
// every row once, the planted bad values as rejects.
func TestDemoJobs(t *testing.T) {
	f, err := os.Open(demoScript)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "legacy.db")
	if err := LoadScript(t.Context(), dbPath, f); err != nil {
		t.Fatal(err)
	}
	paris, _ := time.LoadLocation("Europe/Paris")
	env := connectors.Env{BaseDir: dir, Location: paris}
	for _, job := range []struct {
		opts             connectors.Options
		rows, rejects    int
		schema, firstRef string
	}{
		{DemoPatientOptions("legacy.db"), legacydb.Patients - len(legacydb.BadPatients), len(legacydb.BadPatients), "patient/1", "patients id=1"},
		{DemoEncounterOptions("legacy.db"), legacydb.Encounters - len(legacydb.BadEncounters), len(legacydb.BadEncounters), "encounter/1", ""},
	} {
		c, err := connectors.Open("sql", job.opts, env)
		if err != nil {
			t.Fatal(err)
		}
		got, w := run(t, c, nil)
		rows, rejects := 0, 0
		for _, r := range got {
			if r.Reject != nil {
				rejects++
				t.Log(r.Reject.Reason)
				continue
			}
			rows++
			if r.Schema.ID() != job.schema {
				t.Errorf("%s: schema %s", r.SourceRef, r.Schema.ID())
			}
		}
		if rows != job.rows || rejects != job.rejects {
			t.Errorf("%s: %d rows and %d rejects, want %d and %d", job.schema, rows, rejects, job.rows, job.rejects)
		}
		if again, _ := run(t, c, w); len(again) != 0 {
			t.Errorf("%s: a second run read %d records", job.schema, len(again))
		}
	}
	// Loading again replaces the database whole.
	f2, _ := os.Open(demoScript)
	defer f2.Close()
	if err := LoadScript(t.Context(), dbPath, f2); err != nil {
		t.Errorf("second load: %v", err)
	}
}
