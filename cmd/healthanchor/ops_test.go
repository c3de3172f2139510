package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestLockContention holds a job's lock as another process would, and
// checks that `run` then exits 3, says why, and anchors nothing.
func TestLockContention(t *testing.T) {
	dir, cfg := newDeployment(t)
	dropGenerated(t, dir, "patients-big.csv", 100, 3)
	before := len(batches(t, cfg))
	f, err := os.OpenFile(filepath.Join(dir, "batches/.locks/patients-csv.lock"), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		t.Fatal(err)
	}
	r := ha(t, nil, "--config", cfg, "run", "patients-csv")
	mustCode(t, r, 3, "run while another process holds the lock")
	if !strings.Contains(r.stderr, "another process") {
		t.Errorf("exit 3 without saying why: %s", r.stderr)
	}
	if got := len(batches(t, cfg)); got != before {
		t.Errorf("%d batches anchored while locked", got-before)
	}
	f.Close()
	mustCode(t, ha(t, nil, "--config", cfg, "run", "patients-csv"), 0, "run once the lock is free")
}

// TestReadOnlyOutput makes the output folder unwritable (a file stands
// where the temporary folder should be, which stops root too): the run fails
// cleanly, nothing is anchored, and once writable again the next run
// anchors the data exactly once.
func TestReadOnlyOutput(t *testing.T) {
	dir, cfg := newDeployment(t)
	base := demoRecords(t, cfg)
	before := len(batches(t, cfg))
	dropGenerated(t, dir, "patients-ro.csv", 1000, 5)
	tmp := filepath.Join(dir, "batches/.tmp")
	os.RemoveAll(tmp)
	if err := os.WriteFile(tmp, []byte("not a folder"), 0o444); err != nil {
		t.Fatal(err)
	}
	r := ha(t, nil, "--config", cfg, "run", "patients-csv")
	mustCode(t, r, 1, "run into an unwritable output folder")
	if !strings.Contains(r.stdout+r.stderr, ".tmp") {
		t.Errorf("the error does not name the folder: %s %s", r.stdout, r.stderr)
	}
	if got := len(batches(t, cfg)); got != before {
		t.Fatalf("a failed run anchored %d batches", got-before)
	}
	os.Remove(tmp)
	mustCode(t, ha(t, nil, "--config", cfg, "run", "patients-csv"), 0, "run once writable")
	checkExactlyOnce(t, dir, cfg, "patients-csv", base+1000)
}

// TestServeGracefulShutdown starts the daemon with a job every second over
// a large file, sends SIGTERM while a run is in flight, and checks that it
// exits 0 with the chain consistent, /healthz and /metrics served, and a
// later run completing the data exactly once.
func TestServeGracefulShutdown(t *testing.T) {
	dir, cfg := newDeployment(t)
	base := demoRecords(t, cfg)
	raw, _ := os.ReadFile(cfg)
	port := freePort(t)
	conf := strings.Replace(string(raw), `schedule: "CRON_TZ=Europe/Paris 30 2 * * *"`, `schedule: "@every 1s"`, 1)
	conf = strings.Replace(conf, "timezone: Europe/Paris", fmt.Sprintf("timezone: Europe/Paris\nlisten: 127.0.0.1:%d", port), 1)
	if err := os.WriteFile(cfg, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	dropGenerated(t, dir, "patients-serve.csv", 200000, 11)
	cmd, logs := startServe(t, cfg, "--shutdown-timeout", "30s")
	body := get(t, fmt.Sprintf("http://127.0.0.1:%d/healthz", port))
	var health map[string]any
	if err := json.Unmarshal([]byte(body), &health); err != nil || health["status"] != "ok" {
		t.Fatalf("/healthz: %s", body)
	}
	// Let a run start on the big file, then ask the daemon to stop.
	time.Sleep(1500 * time.Millisecond)
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	var shutdownLine string
	go func() {
		for l := range logs {
			if strings.Contains(l, "shutting down") {
				shutdownLine = l
			}
		}
		done <- cmd.Wait()
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve exited with %v after SIGTERM", err)
		}
	case <-time.After(60 * time.Second):
		t.Fatal("serve did not stop within 60s of SIGTERM")
	}
	if !strings.Contains(shutdownLine, `"timeout":"30s"`) {
		t.Errorf("the shutdown log does not give its timeout as a duration: %s", shutdownLine)
	}
	mustCode(t, ha(t, nil, "--config", cfg, "verify", "chain"), 0, "verify chain after shutdown")
	mustCode(t, ha(t, nil, "--config", cfg, "run", "patients-csv"), 0, "run after shutdown")
	checkExactlyOnce(t, dir, cfg, "patients-csv", base+200000)
	r := ha(t, nil, "--config", cfg, "run", "--metrics-file", filepath.Join(dir, "m.prom"))
	mustCode(t, r, 0, "run with a metrics file")
	prom, _ := os.ReadFile(filepath.Join(dir, "m.prom"))
	if !strings.Contains(string(prom), `healthanchor_last_success_timestamp_seconds{job="patients-csv"}`) {
		t.Errorf("metrics file lacks the last success time:\n%s", prom)
	}
}

// startServe starts `serve` on cfg as its own process (killed at the end
// of the test) and waits until it logs that it is serving; logs carries
// its stderr, a line at a time, until it exits.
func startServe(t *testing.T, cfg string, args ...string) (*exec.Cmd, <-chan string) {
	t.Helper()
	cmd := exec.Command(binary, append([]string{"--config", cfg, "serve"}, args...)...)
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	logs := make(chan string, 1000)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			logs <- sc.Text()
		}
		close(logs)
	}()
	waitFor(t, logs, "serving", 20*time.Second)
	return cmd, logs
}

func waitFor(t *testing.T, logs <-chan string, what string, d time.Duration) {
	t.Helper()
	timeout := time.After(d)
	for {
		select {
		case l, ok := <-logs:
			if !ok {
				t.Fatalf("process ended before logging %q", what)
			}
			if strings.Contains(l, what) {
				return
			}
		case <-timeout:
			t.Fatalf("no %q in the logs within %v", what, d)
		}
	}
}

func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// TestConcurrentRunsOfDifferentJobs starts two `run` processes at once on
// different jobs of one deployment (a daemon and a cron run would do the
// same): both anchor, and the chain stays gapless and verifies.
func TestConcurrentRunsOfDifferentJobs(t *testing.T) {
	dir, cfg := newDeployment(t)
	for i := 0; i < 5; i++ {
		dropGenerated(t, dir, fmt.Sprintf("patients-c%d.csv", i), 3000, 40+i)
		legacy := filepath.Join(dir, "inbox/csv/legacy", fmt.Sprintf("more-%d.csv", i))
		src, _ := os.ReadFile(filepath.Join(dir, "inbox/csv/legacy/patients-2026-11-25-legacy.csv"))
		if err := os.WriteFile(legacy, append(src, "\r\n"...), 0o644); err != nil {
			t.Fatal(err)
		}
		before := len(batches(t, cfg))
		a := exec.Command(binary, "--config", cfg, "run", "patients-csv")
		b := exec.Command(binary, "--config", cfg, "run", "registry-legacy-csv")
		if err := a.Start(); err != nil {
			t.Fatal(err)
		}
		if err := b.Start(); err != nil {
			t.Fatal(err)
		}
		if err := a.Wait(); err != nil {
			t.Fatalf("round %d: patients-csv: %v", i, err)
		}
		if err := b.Wait(); err != nil {
			t.Fatalf("round %d: registry-legacy-csv: %v", i, err)
		}
		if got := len(batches(t, cfg)); got != before+2 {
			t.Fatalf("round %d: %d new batches, want 2", i, got-before)
		}
	}
	mustCode(t, ha(t, nil, "--config", cfg, "verify", "chain"), 0, "verify chain")
}

// TestFullOutputFolder points the output folder at a 1 MiB file system
// and drops an export that does not fit: the run fails saying so, anchors
// nothing and leaves no temporary file; with room again, the next run
// anchors the export exactly once.
func TestFullOutputFolder(t *testing.T) {
	dir, cfg := newDeployment(t)
	base := demoRecords(t, cfg)
	small := filepath.Join(dir, "small")
	if err := os.MkdirAll(small, 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", small).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a small file system here (needs root): %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", small).Run() })
	raw, _ := os.ReadFile(cfg)
	os.WriteFile(cfg, []byte(strings.Replace(string(raw), "output_dir: batches", "output_dir: small", 1)), 0o644)
	before := len(batches(t, cfg))
	dropGenerated(t, dir, "patients-big.csv", 40000, 8)
	r := ha(t, nil, "--config", cfg, "run", "patients-csv")
	mustCode(t, r, 1, "run into a full output folder")
	if !strings.Contains(r.stdout+r.stderr, "no space left") {
		t.Errorf("the error does not say the disk is full:\n%s%s", r.stdout, r.stderr)
	}
	if got := len(batches(t, cfg)); got != before {
		t.Fatalf("a run into a full folder anchored %d batches", got-before)
	}
	if tmp, _ := filepath.Glob(filepath.Join(small, ".tmp", "*")); len(tmp) > 0 {
		t.Errorf("temporary files left in the full folder: %v", tmp)
	}
	if out, err := exec.Command("mount", "-o", "remount,size=64m", small).CombinedOutput(); err != nil {
		t.Fatalf("remount: %v %s", err, out)
	}
	mustCode(t, ha(t, nil, "--config", cfg, "run", "patients-csv"), 0, "run with room again")
	var got int64
	for _, b := range batches(t, cfg) {
		if b.Job == "patients-csv" {
			got += b.Rows + b.Rejects
		}
	}
	if got != base+40000 {
		t.Errorf("anchored %d records, want %d", got, base+40000)
	}
	mustCode(t, ha(t, nil, "--config", cfg, "verify", "chain"), 0, "verify chain")
}
