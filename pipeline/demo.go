package pipeline

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/healthanchor/healthanchor/anchor"
	"github.com/healthanchor/healthanchor/internal/fsutil"
)

// DemoMarker is the file that marks a folder as a demo deployment, so
// that `demo` may run again in it but never in some other non-empty folder.
const DemoMarker = ".healthanchor-demo"

// DemoAgency is the agency id of the demo deployment.
const DemoAgency = "demo-hospital"

// SetupDemo prepares a complete single-node deployment in dir: agency
// keys, a genesis, healthanchor.yaml, and an inbox per source kind filled
// from samples (a tree with one folder per kind: csv/, hl7/, sql/). It
// returns the config path. In a folder that already holds a demo it
// changes nothing; a non-empty folder that is not a demo is refused.
func SetupDemo(dir string, samples fs.FS, extra func(dir string) error) (string, bool, error) {
	cfgPath := filepath.Join(dir, "healthanchor.yaml")
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
	case err != nil:
		return "", false, fmt.Errorf("demo: %w", err)
	case len(entries) > 0:
		if _, err := os.Stat(filepath.Join(dir, DemoMarker)); err != nil {
			return "", false, fmt.Errorf("demo: %s is not empty and is not an earlier demo; choose another --dir", dir)
		}
		return cfgPath, false, nil
	}
	// The demo's sample records are made up, but the deployment is the
	// model of a real one: everything in it is the owner's alone.
	dirPerm, filePerm := DefaultDirMode.Perm(), DefaultFileMode.Perm()
	for _, sub := range []string{"keys", "inbox/csv", "inbox/hl7", "sources"} {
		if err := fsutil.MkdirAll(filepath.Join(dir, sub), dirPerm); err != nil {
			return "", false, fmt.Errorf("demo: %w", err)
		}
	}
	key, err := anchor.NewAgencyKeys(filepath.Join(dir, "keys"))
	if err != nil {
		return "", false, err
	}
	members := []anchor.Member{{ID: DemoAgency, Name: "Demo Regional Hospital", PublicKey: anchor.PublicKeyText(key)}}
	g, err := anchor.NewGenesis("healthanchor-demo", members, DemoAgency, key, time.Now())
	if err != nil {
		return "", false, err
	}
	gj, err := json.MarshalIndent(g, "", "  ")
	if err != nil {
		return "", false, err
	}
	if err := fsutil.WriteFile(filepath.Join(dir, "genesis.json"), append(gj, '\n'), filePerm); err != nil {
		return "", false, fmt.Errorf("demo: %w", err)
	}
	if err := CopySamples(samples, dir); err != nil {
		return "", false, err
	}
	if extra != nil {
		if err := extra(dir); err != nil {
			return "", false, err
		}
	}
	if err := fsutil.WriteFile(cfgPath, []byte(demoConfig), filePerm); err != nil {
		return "", false, fmt.Errorf("demo: %w", err)
	}
	if err := fsutil.WriteFile(filepath.Join(dir, DemoMarker), []byte("created by healthanchor demo\n"), filePerm); err != nil {
		return "", false, fmt.Errorf("demo: %w", err)
	}
	return cfgPath, true, nil
}

// CopySamples copies samples/csv and samples/hl7 (either may be absent)
// into dir/inbox/: the demo's input files.
func CopySamples(samples fs.FS, dir string) error {
	for _, kind := range []string{"csv", "hl7"} {
		err := fs.WalkDir(samples, kind, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				if errors.Is(err, fs.ErrNotExist) && p == kind {
					return fs.SkipDir
				}
				return err
			}
			dst := filepath.Join(dir, "inbox", filepath.FromSlash(p))
			if d.IsDir() {
				return fsutil.MkdirAll(dst, DefaultDirMode.Perm())
			}
			data, err := fs.ReadFile(samples, p)
			if err != nil {
				return err
			}
			return fsutil.WriteFile(dst, data, DefaultFileMode.Perm())
		})
		if err != nil {
			return fmt.Errorf("demo: samples: %w", err)
		}
	}
	return nil
}
