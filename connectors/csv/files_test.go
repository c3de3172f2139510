package csv

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/healthanchor/healthanchor/connectors"
	"github.com/healthanchor/healthanchor/connectors/connectortest"
)

func mustLoc(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// TestConformance runs the connector conformance kit over a good and a
// bad sample.
func TestConformance(t *testing.T) {
	connectortest.Run(t, connectortest.Case{
		Open:    func(t *testing.T) connectors.Connector { return openSample(t, "patients-bom-crlf.csv") },
		Rows:    map[string]int{"patient/1": 2},
		Rejects: 0,
		OpenBad: func(t *testing.T) connectors.Connector { return openSample(t, "patients-utf8.csv") },
	})
	dir := t.TempDir()
	writeFile(t, dir, "a.csv", "patient_id,family_name\n1,Doe\n2,\"Roe\nJr\"\n")
	writeFile(t, dir, "b.csv", "patient_id,sex\r\n3,f\r\n")
	t.Run("glob", func(t *testing.T) {
		connectortest.Run(t, connectortest.Case{
			Open: func(t *testing.T) connectors.Connector {
				return openOpts(t, dir, connectors.Options{"input": "*.csv"})
			},
			Rows: map[string]int{"patient/1": 3},
		})
	})
}

// TestGlobTakesNewFilesOnly drops files into a folder between runs: each
// run reads only the files not taken before, in name order.
func TestGlobTakesNewFilesOnly(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "in"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, "in/b.csv", "patient_id\nb1\nb2\n")
	writeFile(t, dir, "in/a.csv", "patient_id\na1\n")
	writeFile(t, dir, "in/skip.txt", "patient_id\nx\n")
	writeFile(t, dir, "in/.hidden.csv", "patient_id\nx\n")
	c := openOpts(t, dir, connectors.Options{"input": "in/*.csv"})

	recs, wm := readAll(t, c, nil)
	if got, want := refs(recs), "in/a.csv:2 in/b.csv:2 in/b.csv:3"; got != want {
		t.Fatalf("first run read %s, want %s", got, want)
	}
	recs, wm2 := readAll(t, c, wm)
	if len(recs) != 0 || string(wm2) != string(wm) {
		t.Fatalf("second run over the same files read %s and moved the watermark", refs(recs))
	}
	writeFile(t, dir, "in/c.csv", "patient_id\nc1\n")
	recs, _ = readAll(t, c, wm)
	if got, want := refs(recs), "in/c.csv:2"; got != want {
		t.Fatalf("after a new file, read %s, want %s", got, want)
	}
}

// TestChangedFileReportedOnce rewrites a file already taken: the next run
// streams one reject naming it and re-reads nothing; the run after that
// streams nothing.
func TestChangedFileReportedOnce(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "p.csv", "patient_id\n1\n")
	c := openOpts(t, dir, connectors.Options{"input": "*.csv"})
	_, wm := readAll(t, c, nil)

	writeFile(t, dir, "p.csv", "patient_id\n1\n2\n")
	recs, wm2 := readAll(t, c, wm)
	if len(recs) != 1 || recs[0].Reject == nil || !strings.Contains(recs[0].Reject.Reason, "p.csv changed after it was taken") {
		t.Fatalf("got %v, want one reject for the changed file", refs(recs))
	}
	if recs[0].Reject.Target != "patient/1" {
		t.Errorf("reject target %q", recs[0].Reject.Target)
	}
	recs, wm3 := readAll(t, c, wm2)
	if len(recs) != 0 || string(wm3) != string(wm2) {
		t.Fatalf("the change was reported again: %v", refs(recs))
	}
}

// TestFileChangedDuringRead changes a file between Plan and Read: the read
// fails as a whole instead of streaming content that was not planned.
func TestFileChangedDuringRead(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "p.csv", "patient_id\n1\n")
	c := openOpts(t, dir, connectors.Options{"input": "p.csv"})
	to, err := c.Plan(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, "p.csv", "patient_id\n2\n")
	err = c.Read(context.Background(), nil, to, func(connectors.Record) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "changed while it was being taken") || !strings.HasPrefix(err.Error(), "csv: ") {
		t.Fatalf("Read = %v, want a csv: ... changed error", err)
	}
}

// TestEmitErrorUnchanged checks that an emit error comes back as itself.
func TestEmitErrorUnchanged(t *testing.T) {
	boom := errors.New("boom")
	c := openSample(t, "patients-utf8.csv")
	to, _ := c.Plan(context.Background(), nil)
	if err := c.Read(context.Background(), nil, to, func(connectors.Record) error { return boom }); err != boom {
		t.Fatalf("Read = %v, want the emit error itself", err)
	}
}

func refs(recs []connectors.Record) string {
	var s []string
	for _, r := range recs {
		s = append(s, r.SourceRef)
	}
	return strings.Join(s, " ")
}
