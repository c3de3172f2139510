package replication

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/raft"
)

// fakeClock is a clock tests move by hand.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time             { return c.t }
func (c *fakeClock) add(d time.Duration)        { c.t = c.t.Add(d) }
func newFakeClock() *fakeClock                  { return &fakeClock{t: epoch} }
func jsonLogger(buf *bytes.Buffer) *slog.Logger { return slog.New(slog.NewJSONHandler(buf, nil)) }

func logLines(t *testing.T, buf *bytes.Buffer) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		if line == "" {
			continue
		}
		rec := map[string]any{}
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		out = append(out, rec)
	}
	return out
}

func TestThrottleFirstAtOnceThenOnePerInterval(t *testing.T) {
	clock := newFakeClock()
	th := newThrottle(30 * time.Second)
	th.now = clock.now
	var buf bytes.Buffer
	logger := jsonLogger(&buf)
	// Four failures a second for a minute, for each of two peers.
	for i := 0; i < 240; i++ {
		for _, peer := range []string{"node2", "node3"} {
			th.log(logger, slog.LevelWarn, "retry\x00"+peer, "retrying", logPeer, peer)
		}
		clock.add(250 * time.Millisecond)
	}
	lines := logLines(t, &buf)
	// Per peer: the first at once, one at 30s, one at 60s is not reached
	// (the last call is at 59.75s).
	if len(lines) != 4 {
		t.Fatalf("got %d lines, want 4 (2 peers x first + one after 30s):\n%s", len(lines), buf.String())
	}
	for i, rec := range lines {
		_, has := rec[logRepeated]
		if first := i < 2; first == has {
			t.Errorf("line %d: repeated present=%v, want %v: %v", i, has, !first, rec)
		}
	}
	if got := lines[2][logRepeated]; got != float64(119) {
		t.Errorf("repeated = %v, want 119 (the lines held back in 30s at 4 a second)", got)
	}
}

// TestRaftSinkThrottlesPeerFailures feeds the raft logger what a node
// alone logs: vote requests failing against two peers at every election
// timeout. It must write one line per peer and kind, at WARN, not one
// per attempt at ERROR.
func TestRaftSinkThrottlesPeerFailures(t *testing.T) {
	clock := newFakeClock()
	th := newThrottle(30 * time.Second)
	th.now = clock.now
	var buf bytes.Buffer
	hl := raftLogger(jsonLogger(&buf), "raft", th)
	peers := []raft.Server{{ID: "node2", Address: "127.0.0.1:7402"}, {ID: "node3", Address: "127.0.0.1:7403"}}
	for i := 0; i < 20; i++ { // ten seconds of election timeouts
		hl.Warn("Election timeout reached, restarting election")
		hl.Info("entering candidate state", "node", "Node at 127.0.0.1:7401 [Candidate]", "term", 2)
		for _, p := range peers {
			hl.Error("failed to make requestVote RPC", "target", p, "error", "connection refused", "term", 2)
		}
		hl.Info("pre-vote campaign failed, waiting for election timeout", "term", 2)
		clock.add(500 * time.Millisecond)
	}
	hl.Info("entering leader state", "leader", "x")
	hl.Debug("not shown")
	lines := logLines(t, &buf)
	perPeer := map[string]int{}
	for _, rec := range lines {
		if rec["msg"] == "failed to make requestVote RPC" {
			if rec["level"] != "WARN" {
				t.Errorf("a failed vote request is logged at %v, want WARN", rec["level"])
			}
			perPeer[rec["target"].(string)]++
		}
	}
	if len(lines) != 6 || perPeer["node2 127.0.0.1:7402"] != 1 || perPeer["node3 127.0.0.1:7403"] != 1 {
		t.Fatalf("got %d lines (per peer %v), want 6: one of each kind and peer, and the leader line:\n%s", len(lines), perPeer, buf.String())
	}
}
