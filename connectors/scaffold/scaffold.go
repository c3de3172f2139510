// Package scaffold writes the skeleton of a new connector package: its
// config, its Plan/Read over a drop folder, its registration, its
// conformance test and its golden test. The package compiles as written,
// and its tests fail, saying what to do, until its parse function reads
// the source's records (docs/connectors.md, "Adding a connector").
package scaffold

import (
	"bytes"
	"embed"
	"fmt"
	"go/format"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"text/template"
)

//go:embed templates/*.tmpl templates/testdata/*
var templates embed.FS

// DefaultModule is the module path of this repository.
const DefaultModule = "github.com/healthanchor/healthanchor"

var validName = regexp.MustCompile(`^[a-z][a-z0-9]{1,30}$`)

// Write creates the package dir/name (dir is the repository's connectors
// folder) and returns the files written. It refuses a bad name and an
// existing folder.
func Write(dir, name, module string) ([]string, error) {
	if !validName.MatchString(name) {
		return nil, fmt.Errorf("scaffold: %q is not a package name (lower-case letters and digits, starting with a letter)", name)
	}
	target := filepath.Join(dir, name)
	if _, err := os.Stat(target); err == nil {
		return nil, fmt.Errorf("scaffold: %s already exists", target)
	}
	data := struct{ Name, Module string }{name, module}
	var written []string
	err := fsWalk(func(path string) error {
		raw, err := templates.ReadFile(path)
		if err != nil {
			return err
		}
		rel := strings.TrimPrefix(path, "templates/")
		out := raw
		if strings.HasSuffix(rel, ".tmpl") {
			rel = strings.TrimSuffix(rel, ".tmpl")
			t, err := template.New(rel).Delims("<<", ">>").Parse(string(raw))
			if err != nil {
				return err
			}
			var b bytes.Buffer
			if err := t.Execute(&b, data); err != nil {
				return err
			}
			if out, err = format.Source(b.Bytes()); err != nil {
				return fmt.Errorf("%s: %w", rel, err)
			}
		}
		dst := filepath.Join(target, rel)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		written = append(written, dst)
		return os.WriteFile(dst, out, 0o644)
	})
	if err != nil {
		return written, fmt.Errorf("scaffold: %w", err)
	}
	return written, nil
}

func fsWalk(fn func(string) error) error {
	for _, pat := range []string{"templates/*.tmpl", "templates/testdata/*"} {
		matches, err := fsGlob(pat)
		if err != nil {
			return err
		}
		for _, m := range matches {
			if err := fn(m); err != nil {
				return err
			}
		}
	}
	return nil
}

func fsGlob(pat string) ([]string, error) {
	entries, err := templates.ReadDir(filepath.Dir(pat))
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		if ok, _ := filepath.Match(filepath.Base(pat), e.Name()); ok && !e.IsDir() {
			out = append(out, filepath.Dir(pat)+"/"+e.Name())
		}
	}
	return out, nil
}

// ModuleOf returns the module path in the go.mod of dir or of its
// nearest parent, or DefaultModule when there is none.
func ModuleOf(dir string) string {
	d, _ := filepath.Abs(dir)
	for {
		if b, err := os.ReadFile(filepath.Join(d, "go.mod")); err == nil {
			for _, line := range strings.Split(string(b), "\n") {
				if m, ok := strings.CutPrefix(strings.TrimSpace(line), "module "); ok {
					return strings.TrimSpace(m)
				}
			}
		}
		parent := filepath.Dir(d)
		if parent == d {
			return DefaultModule
		}
		d = parent
	}
}
