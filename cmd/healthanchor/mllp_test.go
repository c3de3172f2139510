package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/healthanchor/healthanchor/internal/testtool"
)

// mllpJob adds a job receiving over MLLP (no schedule: the test runs it)
// to the deployment's config and returns the address it listens on.
// It also moves serve's HTTP listener to a free port, returned as metrics.
func mllpJob(t *testing.T, cfg string) (addr, metrics string) {
	t.Helper()
	addr = fmt.Sprintf("127.0.0.1:%d", freePort(t))
	httpAddr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	raw, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	conf := strings.Replace(string(raw), "timezone: Europe/Paris", "timezone: Europe/Paris\nlisten: "+httpAddr, 1)
	conf += fmt.Sprintf("\n  - name: adt-live\n    connector: hl7\n    options:\n      listen: %s\n      receiving_application: HA\n      max_message_bytes: 4096\n", addr)
	if err := os.WriteFile(cfg, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	return addr, "http://" + httpAddr + "/metrics"
}

// mllpSend runs the Python MLLP client (tools/mllp_client.py): a sender
// outside Go, on a plain socket. It returns "id code" per message.
func mllpSend(t *testing.T, addr string, args ...string) []string {
	t.Helper()
	out, err := exec.Command("python3", append([]string{"../../tools/mllp_client.py", addr}, args...)...).Output()
	if err != nil {
		var stderr string
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("mllp_client %v: %v\n%s", args, err, stderr)
	}
	var got []string
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(l)
		got = append(got, f[0]+" "+f[1])
	}
	return got
}

func needPython(t *testing.T) { testtool.Python3(t) }

// TestMLLPKillBeforeRun: messages acknowledged by `serve` over MLLP, then
// serve killed with SIGKILL before any run: after a restart, runs anchor
// every acknowledged message exactly once, resends included.
func TestMLLPKillBeforeRun(t *testing.T) {
	needPython(t)
	dir, cfg := newDeployment(t)
	addr, metricsURL := mllpJob(t, cfg)
	srv, _ := startServe(t, cfg)

	got := mllpSend(t, addr, "--count", "40", "--prefix", "M")
	for i, l := range got {
		if l != fmt.Sprintf("M%d AA", i) {
			t.Fatalf("message %d: %q, want AA", i, l)
		}
	}
	// An ACK lost: the sender closes before reading it, then resends.
	mllpSend(t, addr, "--ids", "LOST", "--drop-ack")
	checkAcks(t, mllpSend(t, addr, "--ids", "LOST,M7"), "LOST AA", "M7 AA")
	checkAcks(t, mllpSend(t, addr, "--ids", "BIG", "--pad", "9000"), "BIG AR")
	checkAcks(t, mllpSend(t, addr, "--garbage"), "- AE")

	// A sender trickling one byte a second holds its own connection only.
	slow := exec.Command("python3", "../../tools/mllp_client.py", addr, "--ids", "SLOW", "--slow", "1")
	if err := slow.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { slow.Process.Kill(); slow.Wait() }()
	time.Sleep(1500 * time.Millisecond)
	start := time.Now()
	checkAcks(t, mllpSend(t, addr, "--ids", "FAST1,FAST2"), "FAST1 AA", "FAST2 AA")
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("a sender waited %v beside a slow one", d)
	}

	// kill -9 after the ACKs, before any run.
	if err := srv.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	srv.Wait()
	mustCode(t, ha(t, nil, "--config", cfg, "run", "adt-live"), 0, "run after kill -9")
	checkExactlyOnce(t, dir, cfg, "adt-live", 43) // M0..M39, LOST, FAST1, FAST2

	// After a restart, a resend of an anchored message is recognised.
	startServe(t, cfg)
	checkAcks(t, mllpSend(t, addr, "--ids", "M3,NEW1"), "M3 AA", "NEW1 AA")
	r := ha(t, nil, "--config", cfg, "run", "adt-live")
	mustCode(t, r, 0, "second run")
	checkExactlyOnce(t, dir, cfg, "adt-live", 44)
	prom := get(t, metricsURL)
	for _, want := range []string{`healthanchor_mllp_acks_total{code="AA",job="adt-live"} 2`, `healthanchor_mllp_duplicates_total{job="adt-live"} 1`,
		`healthanchor_mllp_spool_depth{job="adt-live"}`, `healthanchor_mllp_messages_received_total{job="adt-live"} 2`} {
		if !strings.Contains(prom, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "spool", "adt-live")); err != nil {
		t.Errorf("no spool folder: %v", err)
	}
}

func checkAcks(t *testing.T, got []string, want ...string) {
	t.Helper()
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("ACKs %q, want %q", got, want)
	}
}
