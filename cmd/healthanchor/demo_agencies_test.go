package main

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestDemoAgencies runs `demo --agencies 3` through the binary and checks
// what it claims: the fetched records and their bundles on disk, the
// disclosure with its receipt on all three replicas, node3 refused with
// nothing written, and the three node processes stopped cleanly.
func TestDemoAgencies(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "consortium")
	r := ha(t, nil, "demo", "--agencies", "3", "--dir", dir)
	mustCode(t, r, 0, "demo --agencies 3")
	for _, want := range []string{
		"fetched and verified 4 records of 3 batches from node1",
		"OK: 4 proofs in node2/fetched-RIS-4410/proofs verified",
		"no grant to node3 for purpose TREAT",
		"healthanchor --config node2/healthanchor.yaml fetch --from node1 --patient RIS-4410 --purpose TREAT",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("demo output lacks %q:\n%s", want, r.stdout)
		}
	}
	if got := strings.Count(r.stdout, "node1 -> node2  TREAT  4 records  receipt=true"); got != 3 {
		t.Errorf("the disclosure with its receipt shows %d times, want once per replica (3):\n%s", got, r.stdout)
	}
	proofs, _ := filepath.Glob(filepath.Join(dir, "node2", "fetched-RIS-4410", "proofs", "*.json"))
	if len(proofs) != 4 {
		t.Errorf("node2 holds %d proof bundles, want 4", len(proofs))
	}
	// An outside check of one bundle, through the command an auditor runs.
	mustCode(t, ha(t, nil, "verify", "proof", proofs[0], "--genesis", filepath.Join(dir, "node1", "genesis.json")), 0, "verify proof")
	if _, err := os.Stat(filepath.Join(dir, "node3", "fetched-RIS-4410")); !os.IsNotExist(err) {
		t.Errorf("node3's refused fetch left output: %v", err)
	}
	checkStopped(t, dir)

	// Run again in the same folder: the same walk, nothing re-anchored.
	r = ha(t, nil, "demo", "--agencies", "3", "--dir", dir)
	mustCode(t, r, 0, "demo --agencies 3 again")
	if !strings.Contains(r.stdout, "Re-running") || strings.Count(r.stdout, "hl7-feed             observation/1") != 1 {
		t.Errorf("re-run does not reuse the consortium or anchored the samples twice:\n%s", r.stdout)
	}
	checkStopped(t, dir)

	// A one-agency demo folder is not a consortium.
	one := filepath.Join(t.TempDir(), "one")
	mustCode(t, ha(t, nil, "demo", "--dir", one), 0, "demo")
	mustCode(t, ha(t, nil, "demo", "--agencies", "3", "--dir", one), 2, "demo --agencies 3 in a one-agency demo")
	mustCode(t, ha(t, nil, "demo", "--agencies", "2", "--dir", t.TempDir()), 2, "demo --agencies 2")
}

// TestDemoAgenciesInterrupt sends SIGINT (Ctrl-C) to the demo while its
// nodes run: it exits non-zero and every node stops cleanly.
func TestDemoAgenciesInterrupt(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "consortium")
	cmd := exec.Command(binary, "demo", "--agencies", "3", "--dir", dir)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	seen := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stdout)
		once := false
		for sc.Scan() {
			if !once && strings.HasPrefix(sc.Text(), "2. ") {
				once = true
				close(seen)
			}
		}
		done <- cmd.Wait()
	}()
	select {
	case <-seen:
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		t.Fatal("the demo did not start its nodes within 60 s")
	}
	cmd.Process.Signal(syscall.SIGINT)
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("an interrupted demo exited 0")
		}
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		t.Fatal("the demo did not stop within 60 s of SIGINT")
	}
	if !strings.Contains(stderr.String(), "interrupted") {
		t.Errorf("stderr does not say the demo was interrupted:\n%s", stderr.String())
	}
	checkStopped(t, dir)
}

// checkStopped checks that each node's log ends with its clean stop.
func checkStopped(t *testing.T, dir string) {
	t.Helper()
	for _, id := range []string{"node1", "node2", "node3"} {
		raw, err := os.ReadFile(filepath.Join(dir, id, "node.log"))
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Count(string(raw), `"msg":"stopped"`); got < strings.Count(string(raw), `"msg":"serving"`) || got == 0 {
			t.Errorf("%s did not stop cleanly (%d stops):\n%s", id, got, raw)
		}
	}
}
