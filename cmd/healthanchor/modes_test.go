package main

import (
	"bufio"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// checkModes walks dir and fails on every file whose mode is not file
// and every folder whose mode is not folder (key files: always 0600).
func checkModes(t *testing.T, dir string, file, folder fs.FileMode) int {
	t.Helper()
	seen := 0
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		want := file
		switch {
		case d.IsDir():
			want = folder
		case filepath.Base(filepath.Dir(p)) == "keys":
			want = 0o600
		}
		if got := fi.Mode().Perm(); got != want {
			rel, _ := filepath.Rel(dir, p)
			t.Errorf("%s: mode %04o, want %04o", rel, got, want)
		}
		seen++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return seen
}

// firstBatch is the published rows file of the deployment's first
// patients-csv batch.
func firstBatch(t *testing.T, cfg string) listed {
	t.Helper()
	for _, b := range batches(t, cfg) {
		if b.Job == "patients-csv" {
			return b
		}
	}
	t.Fatal("no patients-csv batch")
	return listed{}
}

// TestCreatedModes checks, after the demo, a run over a dropped file and
// a proof bundle, that everything the deployment holds is the owner's
// alone (files 0600, folders 0700); then, in a copy of the deployment
// whose config asks for a group-readable one (0640, 0750), that every
// store, folder and file a first run creates has those modes exactly.
func TestCreatedModes(t *testing.T) {
	dir, cfg := newDeployment(t)
	if err := os.WriteFile(filepath.Join(dir, "inbox/csv/patients-extra.csv"), []byte(extraCSV), 0o600); err != nil {
		t.Fatal(err)
	}
	mustCode(t, ha(t, nil, "--config", cfg, "run"), 0, "run")
	mustCode(t, ha(t, nil, "--config", cfg, "prove", firstBatch(t, cfg).BatchID, "--row", "0", "--out", filepath.Join(dir, "proof.json")), 0, "prove")
	for _, p := range []string{"batches/.tmp", "batches/.locks", "batches/patients-csv", "proof.json", "sources/legacy.db"} {
		if _, err := os.Stat(filepath.Join(dir, p)); err != nil {
			t.Errorf("the deployment has no %s to check: %v", p, err)
		}
	}
	whileServing(t, cfg, func() {
		if n := checkModes(t, dir, 0o600, 0o700); n < 30 {
			t.Errorf("checked only %d files and folders", n)
		}
	})

	group := filepath.Join(t.TempDir(), "group")
	if err := os.Mkdir(group, 0o700); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"keys", "inbox", "sources", "genesis.json", "healthanchor.yaml"} {
		if out, err := exec.Command("cp", "-Rp", filepath.Join(dir, p), group).CombinedOutput(); err != nil {
			t.Fatalf("cp %s: %v %s", p, err, out)
		}
	}
	gcfg := filepath.Join(group, "healthanchor.yaml")
	f, err := os.OpenFile(gcfg, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("file_mode: 0640\ndir_mode: 0750\n")
	f.Close()
	mustCode(t, ha(t, nil, "--config", gcfg, "run"), 0, "run a group-readable deployment")
	mustCode(t, ha(t, nil, "--config", gcfg, "prove", firstBatch(t, gcfg).BatchID, "--row", "0", "--out", filepath.Join(group, "proof.json")), 0, "prove")
	whileServing(t, gcfg, func() {
		for _, p := range []string{"chain.db", "chain.db-wal", "chain.db-shm", "state.db", "state.db-wal", "state.db-shm", "proof.json"} {
			checkModes(t, filepath.Join(group, p), 0o640, 0o750)
		}
		checkModes(t, filepath.Join(group, "batches"), 0o640, 0o750)
	})
}

// whileServing runs check while `serve` holds the deployment's stores
// open (SQLite removes their -wal and -shm files on the last close).
func whileServing(t *testing.T, cfg string, check func()) {
	t.Helper()
	raw, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var conf strings.Builder
	for _, l := range strings.SplitAfter(string(raw), "\n") {
		if !strings.HasPrefix(l, "listen:") {
			conf.WriteString(l)
		}
	}
	fmt.Fprintf(&conf, "listen: 127.0.0.1:%d\n", freePort(t))
	if err := os.WriteFile(cfg, []byte(conf.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(binary, "--config", cfg, "serve")
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
	}()
	logs := make(chan string, 1000)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			logs <- sc.Text()
		}
		close(logs)
	}()
	waitFor(t, logs, "serving", 20*time.Second)
	go func() {
		for range logs {
		}
	}()
	check()
}

// TestVerifyWarnsOfOpenModes opens a batch file, its folder and the
// stores to everyone: verify still passes (exit 0) but warns, naming each
// path; with the modes restored it says nothing.
func TestVerifyWarnsOfOpenModes(t *testing.T) {
	dir, cfg := newDeployment(t)
	b := firstBatch(t, cfg)
	const warning = "open beyond the configured mode"
	for _, args := range [][]string{{"verify", "batch", b.BatchID}, {"verify", "chain"}} {
		r := ha(t, nil, append([]string{"--config", cfg}, args...)...)
		mustCode(t, r, 0, strings.Join(args, " "))
		if strings.Contains(r.stderr, warning) {
			t.Errorf("%v warns on a deployment created owner-only:\n%s", args, r.stderr)
		}
	}
	open := map[string]fs.FileMode{b.ParquetPath: 0o644, filepath.Dir(b.ParquetPath): 0o755,
		filepath.Join(dir, "chain.db"): 0o604, filepath.Join(dir, "state.db"): 0o640}
	for p, m := range open {
		if err := os.Chmod(p, m); err != nil {
			t.Fatal(err)
		}
	}
	r := ha(t, nil, "--config", cfg, "verify", "batch", b.BatchID)
	mustCode(t, r, 0, "verify batch with open modes")
	for p := range open {
		if !strings.Contains(r.stderr, warning) || !strings.Contains(r.stderr, p) {
			t.Errorf("verify batch does not warn about %s:\n%s", p, r.stderr)
		}
	}
	r = ha(t, nil, "--config", cfg, "verify", "chain")
	mustCode(t, r, 0, "verify chain with open modes")
	if !strings.Contains(r.stderr, warning) || !strings.Contains(r.stderr, filepath.Join(dir, "chain.db")) || !strings.Contains(r.stderr, "chmod 0600") {
		t.Errorf("verify chain does not warn about chain.db with the fix:\n%s", r.stderr)
	}
}
