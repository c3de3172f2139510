package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestConnectorsNew scaffolds a connector into the repository's
// connectors folder: the package compiles, vets and passes the
// conformance kit as generated; a second call and a bad name are refused.
func TestConnectorsNew(t *testing.T) {
	dir, err := filepath.Abs("../../connectors")
	if err != nil {
		t.Fatal(err)
	}
	const name = "zzscaffoldcheck"
	t.Cleanup(func() { os.RemoveAll(filepath.Join(dir, name)) })
	r := ha(t, nil, "connectors", "new", name, "--dir", dir)
	mustCode(t, r, 0, "connectors new")
	if !strings.Contains(r.stdout, "connector_test.go") {
		t.Errorf("the files written are not listed:\n%s", r.stdout)
	}
	test := exec.Command("go", "vet", "./connectors/"+name+"/")
	test.Dir = "../.."
	if out, err := test.CombinedOutput(); err != nil {
		t.Fatalf("go vet of the scaffold: %v\n%s", err, out)
	}
	test = exec.Command("go", "test", "-count=1", "./connectors/"+name+"/")
	test.Dir = "../.."
	if out, err := test.CombinedOutput(); err != nil {
		t.Fatalf("the scaffold's conformance test: %v\n%s", err, out)
	}
	mustCode(t, ha(t, nil, "connectors", "new", name, "--dir", dir), 2, "a second connectors new")
	mustCode(t, ha(t, nil, "connectors", "new", "Bad-Name", "--dir", dir), 2, "a bad name")
}
