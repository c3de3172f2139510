package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestConnectorsNew scaffolds a connector into the repository's
// connectors folder: the package compiles and vets, and its tests fail,
// saying what to do, until parse reads the source's records. With parse
// written as its doc comment shows, the golden file is written by
// go test -update and every test passes. A second call and a bad name
// are refused.
func TestConnectorsNew(t *testing.T) {
	dir, err := filepath.Abs("../../connectors")
	if err != nil {
		t.Fatal(err)
	}
	const name = "zzscaffoldcheck"
	pkg := filepath.Join(dir, name)
	t.Cleanup(func() { os.RemoveAll(pkg) })
	r := ha(t, nil, "connectors", "new", name, "--dir", dir)
	mustCode(t, r, 0, "connectors new")
	if !strings.Contains(r.stdout, "connector_test.go") {
		t.Errorf("the files written are not listed:\n%s", r.stdout)
	}
	goCmd := func(args ...string) ([]byte, error) {
		c := exec.Command("go", args...)
		c.Dir = "../.."
		return c.CombinedOutput()
	}
	if out, err := goCmd("vet", "./connectors/"+name+"/"); err != nil {
		t.Fatalf("go vet of the scaffold: %v\n%s", err, out)
	}
	out, err := goCmd("test", "-count=1", "./connectors/"+name+"/")
	if err == nil {
		t.Fatalf("the scaffold's tests pass before parse is written:\n%s", out)
	}
	if !strings.Contains(string(out), "parse is not implemented yet") {
		t.Fatalf("the scaffold's tests fail without saying what to implement:\n%s", out)
	}

	src := filepath.Join(pkg, "connector.go")
	code, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	const stub = "\treturn nil, errNotImplemented\n"
	if strings.Count(string(code), stub) != 1 {
		t.Fatalf("%s: the parse stub is not there once", src)
	}
	code = []byte(strings.Replace(string(code), stub, "\treturn func(col string) (string, bool) {\n\t\tif col == \"patient_id\" {\n\t\t\treturn line, true\n\t\t}\n\t\treturn \"\", false\n\t}, nil\n", 1))
	if err := os.WriteFile(src, code, 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := goCmd("test", "-count=1", "-run", "TestGolden", "./connectors/"+name+"/", "-update"); err != nil {
		t.Fatalf("go test -update with parse written: %v\n%s", err, out)
	}
	if out, err := goCmd("test", "-count=1", "./connectors/"+name+"/"); err != nil {
		t.Fatalf("the scaffold's tests with parse written: %v\n%s", err, out)
	}
	golden, err := os.ReadFile(filepath.Join(pkg, "testdata", "good.golden"))
	if err != nil {
		t.Fatal(err)
	}
	if rows, rejects := strings.Count(string(golden), `"row":`), strings.Count(string(golden), `"reject":`); rows != 3 || rejects != 1 {
		t.Errorf("good.golden has %d rows and %d rejects, want 3 and 1:\n%s", rows, rejects, golden)
	}

	mustCode(t, ha(t, nil, "connectors", "new", name, "--dir", dir), 2, "a second connectors new")
	mustCode(t, ha(t, nil, "connectors", "new", "Bad-Name", "--dir", dir), 2, "a bad name")
}
