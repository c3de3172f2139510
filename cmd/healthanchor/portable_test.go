package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestCopiedDeploymentChecksItsOwnFiles: a deployment copied elsewhere
// verifies and proves its own batch files, not the original's; a tampered
// copy fails there and only there; a moved deployment still works.
func TestCopiedDeploymentChecksItsOwnFiles(t *testing.T) {
	dir, cfg := newDeployment(t)
	list := batches(t, cfg)
	if len(list) == 0 {
		t.Fatal("the demo anchored nothing")
	}
	b := list[0]
	rel, err := filepath.Rel(dir, b.ParquetPath)
	if err != nil {
		t.Fatal(err)
	}

	copyDir := filepath.Join(t.TempDir(), "copy")
	if out, err := exec.Command("cp", "-a", dir, copyDir).CombinedOutput(); err != nil {
		t.Fatalf("cp: %v\n%s", err, out)
	}
	copyCfg := filepath.Join(copyDir, "healthanchor.yaml")
	for _, l := range batches(t, copyCfg) {
		if l.ParquetPath != "" && !within(copyDir, l.ParquetPath) {
			t.Fatalf("the copy lists batch %s at %s, outside the copy", l.BatchID, l.ParquetPath)
		}
	}
	flipByte(t, filepath.Join(copyDir, rel))
	mustCode(t, ha(t, nil, "--config", copyCfg, "verify", "batch", b.BatchID), 1, "verify the tampered copy")
	mustCode(t, ha(t, nil, "--config", cfg, "verify", "batch", b.BatchID), 0, "verify the original")

	moved := filepath.Join(t.TempDir(), "moved")
	if err := os.Rename(dir, moved); err != nil {
		t.Fatal(err)
	}
	movedCfg := filepath.Join(moved, "healthanchor.yaml")
	mustCode(t, ha(t, nil, "--config", movedCfg, "verify", "batch", b.BatchID), 0, "verify batch after a move")
	mustCode(t, ha(t, nil, "--config", movedCfg, "verify", "chain"), 0, "verify chain after a move")
	proof := filepath.Join(t.TempDir(), "proof.json")
	mustCode(t, ha(t, nil, "--config", movedCfg, "prove", b.BatchID, "--row", "0", "--out", proof), 0, "prove after a move")
}

func within(dir, path string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != ".." && !filepath.IsAbs(rel) && (len(rel) < 3 || rel[:3] != "../")
}

// flipByte changes the middle byte of the file at path.
func flipByte(t *testing.T, path string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	data[len(data)/2] ^= 0x01
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}
