package main

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/healthanchor/healthanchor/schemas"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden files of testdata/")

// TestSchemasListAndShow runs `schemas list` and `schemas show` through
// the binary: every registered version is listed with its fingerprint,
// a name shows all its versions, an id one, and patient/1's columns read
// as the golden file has them (a published version is frozen).
func TestSchemasListAndShow(t *testing.T) {
	r := ha(t, nil, "schemas", "list", "--json")
	mustCode(t, r, 0, "schemas list --json")
	var listed []schemaListing
	if err := json.Unmarshal([]byte(r.stdout), &listed); err != nil {
		t.Fatalf("schemas list --json: %v\n%s", err, r.stdout)
	}
	all := schemas.All()
	if len(listed) != len(all) {
		t.Fatalf("schemas list --json lists %d versions, the registry has %d", len(listed), len(all))
	}
	for i, s := range all {
		l := listed[i]
		if l.ID != s.ID() || l.Fingerprint != s.Fingerprint() || len(l.Columns) != len(s.Fields) {
			t.Errorf("listed %s %s with %d columns, want %s %s with %d", l.ID, l.Fingerprint, len(l.Columns), s.ID(), s.Fingerprint(), len(s.Fields))
		}
	}

	r = ha(t, nil, "schemas", "list")
	mustCode(t, r, 0, "schemas list")
	for _, s := range all {
		if !strings.Contains(r.stdout, s.ID()) || !strings.Contains(r.stdout, s.Fingerprint()) {
			t.Errorf("schemas list lacks %s or its fingerprint:\n%s", s.ID(), r.stdout)
		}
	}

	r = ha(t, nil, "schemas", "show", "patient/1")
	mustCode(t, r, 0, "schemas show patient/1")
	golden := filepath.Join("testdata", "schemas-show-patient-1.txt")
	if *updateGolden {
		if err := os.WriteFile(golden, []byte(r.stdout), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if r.stdout != string(want) {
		t.Errorf("schemas show patient/1 differs from %s (go test -run TestSchemasListAndShow -update rewrites it, for a new version only):\n%s", golden, r.stdout)
	}

	r = ha(t, nil, "schemas", "show", "patient", "--json")
	mustCode(t, r, 0, "schemas show patient --json")
	var shown []schemaListing
	if err := json.Unmarshal([]byte(r.stdout), &shown); err != nil {
		t.Fatalf("schemas show patient --json: %v\n%s", err, r.stdout)
	}
	versions := schemas.Versions("patient")
	if len(shown) != len(versions) {
		t.Fatalf("schemas show patient shows %d versions, want %d", len(shown), len(versions))
	}
	for i, s := range versions {
		if shown[i].ID != s.ID() || shown[i].Columns[len(s.Fields)-1].Name != s.Fields[len(s.Fields)-1].Name {
			t.Errorf("version %d shown as %+v, want %s", i, shown[i], s.ID())
		}
	}

	for _, bad := range []string{"nosuch", "patient/99"} {
		r = ha(t, nil, "schemas", "show", bad)
		mustCode(t, r, 2, "schemas show "+bad)
		if !strings.Contains(r.stderr, "patient/1") {
			t.Errorf("schemas show %s: the error does not name the known schemas: %s", bad, r.stderr)
		}
	}
}
