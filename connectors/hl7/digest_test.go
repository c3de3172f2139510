package hl7

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/healthanchor/healthanchor/connectors"
	"github.com/healthanchor/healthanchor/connectors/connectortest"
	"github.com/healthanchor/healthanchor/connectors/hl7/hl7gen"
)

// digestFile holds the SHA-256 of the rendered records (as the golden
// files render them) of every public corpus file and of two generated
// feeds, so that a change to the parser or the mapper that alters any
// row, source_ref or reject reason fails here, naming the file. It is
// rewritten by go test -update, on purpose only.
var digestFile = filepath.Join("testdata", "mapping.sha256")

// digestMessages is the size of each generated feed in the digests.
const digestMessages = 3000

func TestMappingDigests(t *testing.T) {
	got := map[string]string{}
	tmp := t.TempDir()
	for name, gen := range map[string]generator{"hl7gen:adt-oru": hl7gen.Generate, "hl7gen:orm-vxu": hl7gen.GenerateOrders} {
		path := filepath.Join(tmp, strings.TrimPrefix(name, "hl7gen:")+".hl7")
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := gen(f, digestMessages, 7, 0.05); err != nil {
			t.Fatal(err)
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
		got[name] = digestOf(t, path)
	}
	root := corpusDir()
	if root != "" {
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() || strings.HasPrefix(d.Name(), "LICENSE") || d.Name() == "INDEX.md" {
				return nil
			}
			rel, err := filepath.Rel(root, p)
			if err != nil {
				return err
			}
			got["corpus:"+filepath.ToSlash(rel)] = digestOf(t, p)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if *update {
		writeDigests(t, got)
		return
	}
	want := readDigests(t)
	for name, w := range want {
		g, ok := got[name]
		switch {
		case !ok && strings.HasPrefix(name, "corpus:") && root == "":
			continue // no corpus beside the repository: checked where it is
		case !ok:
			t.Errorf("%s: in %s but not read (run go test -update if the corpus changed)", name, digestFile)
		case g != w:
			t.Errorf("%s: rendered records changed: digest %s, want %s", name, g, w)
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			t.Errorf("%s: no digest in %s (run go test -update if the corpus changed)", name, digestFile)
		}
	}
	if root == "" {
		t.Log("shared/hl7-corpus not found above the repository: only the generated feeds were compared")
	}
}

// digestOf reads one file through the connector and returns the SHA-256
// of its rendered records (source_ref names the file by its base name).
func digestOf(t *testing.T, path string) string {
	t.Helper()
	opts := connectors.Options{"input": filepath.Base(path)}
	c, err := connectors.Open("hl7", opts, connectors.Env{BaseDir: filepath.Dir(path)})
	if err != nil {
		t.Fatal(err)
	}
	res, err := connectortest.ReadAll(t, c, nil)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	sum := sha256.Sum256(render(t, res.Records))
	return hex.EncodeToString(sum[:])
}

func writeDigests(t *testing.T, digests map[string]string) {
	t.Helper()
	names := make([]string, 0, len(digests))
	for name := range digests {
		names = append(names, name)
	}
	slices.Sort(names)
	var b strings.Builder
	for _, name := range names {
		fmt.Fprintf(&b, "%s  %s\n", digests[name], name)
	}
	if err := os.WriteFile(digestFile, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

func readDigests(t *testing.T) map[string]string {
	t.Helper()
	f, err := os.Open(digestFile)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	defer f.Close()
	want := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		digest, name, ok := strings.Cut(sc.Text(), "  ")
		if !ok {
			t.Fatalf("%s: bad line %q", digestFile, sc.Text())
		}
		want[name] = digest
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return want
}
