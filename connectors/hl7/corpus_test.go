package hl7

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/healthanchor/healthanchor/connectors"
	"github.com/healthanchor/healthanchor/connectors/connectortest"
)

// corpusDir finds shared/hl7-corpus, the public sample corpus kept beside
// the repository (../shared/hl7-corpus from the module root), by walking
// up from the test's directory.
func corpusDir() string {
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		c := filepath.Join(dir, "shared", "hl7-corpus")
		if st, err := os.Stat(c); err == nil && st.IsDir() {
			return c
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// TestCorpus runs the connector over every file of the public corpus:
// each must end as rows or as rejects with reasons, never as a failed
// read or a panic.
func TestCorpus(t *testing.T) {
	root := corpusDir()
	if root == "" {
		t.Skip("shared/hl7-corpus not found above the repository: corpus test skipped")
	}
	var files []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() || strings.HasPrefix(name, "LICENSE") || name == "INDEX.md" {
			return nil
		}
		files = append(files, p)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 100 {
		t.Fatalf("only %d corpus files under %s", len(files), root)
	}
	c0, err := connectors.Open("hl7", connectors.Options{"input": "none.hl7"}, connectors.Env{})
	if err != nil {
		t.Fatal(err)
	}
	var rows, rejects int
	perSchema := map[string]int{}
	for _, p := range files {
		rel, _ := filepath.Rel(root, p)
		c, err := connectors.Open("hl7", connectors.Options{"input": p}, connectors.Env{})
		if err != nil {
			t.Fatal(err)
		}
		res, err := connectortest.ReadAll(t, c, nil)
		if err != nil {
			t.Errorf("%s: %v", rel, err)
			continue
		}
		if len(res.Records) == 0 {
			t.Errorf("%s: no rows and no rejects", rel)
		}
		seen := map[string]bool{}
		for _, r := range res.Records {
			if err := connectortest.CheckRecord(c, r); err != nil {
				t.Errorf("%s: %v", rel, err)
			}
			if r.Reject != nil {
				rejects++
				if testing.Verbose() {
					t.Logf("%s: reject %s: %s", rel, r.SourceRef, r.Reject.Reason)
				}
				continue
			}
			rows++
			perSchema[r.Schema.ID()]++
			key := r.Schema.ID() + " " + r.SourceRef
			if seen[key] {
				t.Errorf("%s: duplicate source_ref %s", rel, key)
			}
			seen[key] = true
		}
	}
	t.Logf("%d corpus files: %d rows, %d rejects; rows per schema: %v", len(files), rows, rejects, perSchema)
	// Every schema the connector maps has rows in the corpus: a mapping
	// that silently stopped producing would show here.
	for _, s := range c0.Schemas() {
		if perSchema[s.ID()] == 0 {
			t.Errorf("no %s rows in the corpus", s.ID())
		}
	}
}
