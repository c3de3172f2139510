//go:build chaos

package main

import (
	"flag"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/healthanchor/healthanchor/anchor/replication"
)

// The chaos test runs with `go test -tags chaos -run TestChaos ./cmd/healthanchor/`;
// -chaos-seed replays a run's faults, -chaos-duration (or HEALTHANCHOR_CHAOS_DURATION)
// sets how long faults are injected.
var (
	chaosSeed     = flag.Int64("chaos-seed", 0, "chaos test: random seed (0: from the clock; the seed is printed)")
	chaosDuration = flag.Duration("chaos-duration", 0, "chaos test: how long faults are injected (default $HEALTHANCHOR_CHAOS_DURATION, else 90s)")
)

// defaultChaosDuration keeps the whole test within about five minutes of
// CI on a 2-core machine: setup, faults, healing, convergence and checks.
const defaultChaosDuration = 90 * time.Second

// TestChaos runs three real nodes (`cluster init`, one `serve` process
// each) behind TCP proxies that delay, reset and cut their links, kills
// nodes and `run` processes with SIGKILL, fills one node's disk, while
// export files are dropped into every node's inbox. Then it heals every
// fault and checks: the same head on every node, `verify chain` on each,
// `verify batch` for every batch on its producing node, and every
// dropped record anchored exactly once.
func TestChaos(t *testing.T) {
	seed, d := chaosSettings(t)
	t.Logf("chaos: seed %d, faults for %v (re-run with -chaos-seed %d)", seed, d, seed)
	c := newChaos(t, seed)
	start := time.Now()
	c.inject(d)
	c.logf("faults stopped after %v: %s", time.Since(start).Round(time.Second), c.faultSummary())
	healStart := time.Now()
	c.heal()
	c.converge(3 * time.Minute)
	c.logf("converged %v after healing", time.Since(healStart).Round(time.Second))
	c.check()
	c.checkNoPanic()
	t.Logf("chaos: seed %d; %v of faults, %v in all; faults %s; %d files, %d records dropped; %d batches anchored in %d blocks; in the logs: %s",
		seed, d, time.Since(start).Round(time.Second), c.faultSummary(), c.files, c.totalDropped(), c.batches, c.height, c.logCounts())
}

func chaosSettings(t *testing.T) (int64, time.Duration) {
	seed := *chaosSeed
	if seed == 0 {
		if s := os.Getenv("HEALTHANCHOR_CHAOS_SEED"); s != "" {
			fmt.Sscan(s, &seed)
		}
	}
	if seed == 0 {
		seed = time.Now().UnixNano() % 1_000_000_007
	}
	d := *chaosDuration
	if d == 0 {
		if s := os.Getenv("HEALTHANCHOR_CHAOS_DURATION"); s != "" {
			var err error
			if d, err = time.ParseDuration(s); err != nil {
				t.Fatalf("HEALTHANCHOR_CHAOS_DURATION=%q: %v", s, err)
			}
		}
	}
	if d == 0 {
		d = defaultChaosDuration
	}
	return seed, d
}

// chaos is the state of one chaos run.
type chaos struct {
	t     *testing.T
	tc    *testCluster
	net   *chaosNet
	rng   *rand.Rand
	dir   string
	start time.Time
	state map[string]*chaosNode

	full    *chaosDisk // nil when tmpfs cannot be mounted
	stage   string     // generated files waiting to be dropped
	seq     int
	files   int
	dropped map[string]int64     // records delivered into each node's inbox
	pending map[string][]genFile // generated files not yet delivered (disk full)
	faults  map[string]int
	runs    map[string]int // how `run` processes that were not killed ended
	events  []chaosEvent
	impair  string // the node a kill, isolation or full disk is on now

	batches int
	height  int64
}

// chaosNode is what the test knows about one node's processes.
type chaosNode struct {
	nd        *clusterNode
	down      bool      // serve was killed and is not restarted yet
	restartAt time.Time // when to restart serve
	run       *chaosRun
}

type chaosEvent struct {
	at time.Time
	fn func()
}

func newChaos(t *testing.T, seed int64) *chaos {
	dir := t.TempDir()
	mustCode(t, ha(t, nil, "cluster", "init", "--nodes", "3", "--dir", dir), 0, "cluster init")
	c := &chaos{
		t: t, net: newChaosNet(), rng: rand.New(rand.NewSource(seed)), dir: dir, start: time.Now(),
		state: map[string]*chaosNode{}, dropped: map[string]int64{}, pending: map[string][]genFile{}, faults: map[string]int{}, runs: map[string]int{},
		stage: filepath.Join(dir, "stage"),
	}
	for _, sub := range []string{"stage", "logs"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	ids := []string{"node1", "node2", "node3"}
	// One node's folder lives on a small tmpfs that the test fills.
	fullID := ids[c.rng.Intn(len(ids))]
	disk, err := mountDisk(filepath.Join(dir, fullID))
	if err != nil {
		c.logf("disk-full fault not available, running without it: %v", err)
	} else {
		c.full = disk
		t.Cleanup(disk.unmount)
	}
	c.tc = &testCluster{t: t, dir: dir}
	t.Cleanup(func() { c.keepLogs(seed) })
	t.Cleanup(c.net.close)
	t.Cleanup(func() {
		for _, st := range c.state {
			if st.run != nil {
				st.run.kill()
			}
		}
		for _, nd := range c.tc.nodes {
			c.tc.kill(nd)
		}
	})
	for _, id := range ids {
		c.prepare(id)
	}
	for _, id := range ids {
		nd := c.tc.add(id)
		c.net.own(nd.cmd.Process.Pid, id)
		c.state[id] = &chaosNode{nd: nd}
	}
	lead := c.tc.leader(c.tc.nodes)
	c.logf("3 nodes up, leader %s; disk of %s on tmpfs: %v", lead.id, fullID, c.full != nil)
	return c
}

// prepare makes node id listen on fresh ports (raft_bind, api_bind)
// behind proxies on its configured addresses, snapshots often, and logs
// outside its folder (which may be the full disk).
func (c *chaos) prepare(id string) {
	c.t.Helper()
	ndDir := filepath.Join(c.dir, id)
	cfgPath := filepath.Join(ndDir, "healthanchor.yaml")
	cfg, ok, err := replication.LoadConfigFile(cfgPath)
	if err != nil || !ok {
		c.t.Fatalf("%s: cluster section: %v", cfgPath, err)
	}
	raftBind, apiBind := fmt.Sprintf("127.0.0.1:%d", freePort(c.t)), fmt.Sprintf("127.0.0.1:%d", freePort(c.t))
	raw, err := os.ReadFile(cfgPath)
	if err != nil {
		c.t.Fatal(err)
	}
	extra := fmt.Sprintf("\ncluster:\n  raft_bind: %s\n  api_bind: %s\n  snapshot_every: 32\n  snapshot_interval: 2s\n  trailing_logs: 8\n", raftBind, apiBind)
	tuned := strings.Replace(string(raw), "\ncluster:\n", extra, 1)
	if tuned == string(raw) {
		c.t.Fatalf("%s has no cluster: section", cfgPath)
	}
	if err := os.WriteFile(cfgPath, []byte(tuned), 0o644); err != nil {
		c.t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(c.dir, "logs", id+".log"), filepath.Join(ndDir, "node.log")); err != nil {
		c.t.Fatal(err)
	}
	if err := c.net.listen(cfg.RaftAddr, raftBind, id); err != nil {
		c.t.Fatal(err)
	}
	if err := c.net.listen(cfg.APIAddr, apiBind, id); err != nil {
		c.t.Fatal(err)
	}
}

func (c *chaos) logf(format string, args ...any) {
	c.t.Helper()
	c.t.Logf("chaos %6.1fs: %s", time.Since(c.start).Seconds(), fmt.Sprintf(format, args...))
}

// heal ends every fault: links whole and fast, disk free, `run`
// processes finished (or killed after a grace period), every serve up,
// every pending file delivered.
func (c *chaos) heal() {
	c.net.healAll()
	if c.full != nil {
		c.full.free()
	}
	c.events = nil
	c.impair = ""
	deadline := time.Now().Add(30 * time.Second)
	for _, id := range c.ids() {
		st := c.state[id]
		if st.run != nil {
			st.run.wait(c, deadline)
			st.run = nil
		}
		if st.nd.cmd != nil {
			select {
			case err := <-st.nd.exited:
				c.net.forget(st.nd.cmd.Process.Pid)
				st.nd.cmd = nil
				c.faults["serve-exited"]++
				c.logf("serve of %s had exited by itself (%v)", id, err)
			default:
			}
		}
		if st.nd.cmd == nil {
			c.startServe(st)
		}
		c.deliver(id)
		if len(c.pending[id]) > 0 {
			c.t.Fatalf("%s: %d files could not be delivered after healing", id, len(c.pending[id]))
		}
	}
	c.logf("healed: every link whole, every node serving, %d files (%d records) in the inboxes", c.files, c.totalDropped())
}

// anchoredOf sums the rows and rejects of agency id's inbox batches on
// its own node's chain.
func (c *chaos) anchoredOf(id string) int64 {
	var n int64
	for _, b := range batches(c.t, c.state[id].nd.config) {
		if b.Job == "inbox" && b.Agency == id {
			n += b.Rows + b.Rejects
		}
	}
	return n
}

// converge waits until every agency's records are anchored and every
// node holds the same head.
func (c *chaos) converge(limit time.Duration) {
	deadline := time.Now().Add(limit)
	for {
		done := true
		var report []string
		for _, id := range c.ids() {
			got := c.anchoredOf(id)
			report = append(report, fmt.Sprintf("%s %d/%d", id, got, c.dropped[id]))
			done = done && got >= c.dropped[id]
		}
		if done {
			break
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("after healing and %v, records anchored per agency: %s\n%s", limit, strings.Join(report, ", "), c.tc.logs())
		}
		c.tendProcesses(time.Now())
		time.Sleep(2 * time.Second)
	}
	st, ok := c.tc.status(c.tc.nodes[0])
	if !ok {
		c.t.Fatalf("node1 does not answer chain status\n%s", c.tc.logs())
	}
	head := c.tc.sameHeads(c.tc.nodes, st.Height)
	st, _ = c.tc.status(c.tc.nodes[0])
	c.height = st.Height
	c.logf("every node at height %d, head %s", c.height, head)
}

// check stops the nodes and verifies each one's chain and its own
// agency's batches: every record dropped into its inbox anchored once.
func (c *chaos) check() {
	for _, nd := range c.tc.nodes {
		if nd.cmd != nil {
			pid := nd.cmd.Process.Pid
			c.tc.kill(nd)
			c.net.forget(pid)
		}
	}
	for _, nd := range c.tc.nodes {
		seen := map[string]bool{}
		for _, b := range batches(c.t, nd.config) {
			if seen[b.BatchID] {
				c.t.Errorf("%s: batch %s listed twice", nd.id, b.BatchID)
			}
			seen[b.BatchID] = true
		}
		if c.batches == 0 {
			c.batches = len(seen)
		} else if c.batches != len(seen) {
			c.t.Errorf("%s lists %d batches, node1 %d", nd.id, len(seen), c.batches)
		}
		checkExactlyOnceOf(c.t, nd.dir, nd.config, nd.id, "inbox", c.dropped[nd.id])
	}
}

// checkNoPanic fails the test for every Go panic in a node's or a run's
// log: a fault may stop a process (a full disk), never crash it.
func (c *chaos) checkNoPanic() {
	logs, _ := filepath.Glob(filepath.Join(c.dir, "logs", "*.log"))
	for _, path := range logs {
		raw, err := os.ReadFile(path)
		if err != nil {
			c.t.Fatal(err)
		}
		text := string(raw)
		for off := 0; ; {
			i := strings.Index(text[off:], "\npanic: ")
			if i < 0 {
				break
			}
			excerpt := text[off+i+1:]
			if lines := strings.SplitN(excerpt, "\n", 25); len(lines) == 25 {
				excerpt = strings.Join(lines[:24], "\n")
			}
			c.t.Errorf("%s: a process panicked:\n%s", filepath.Base(path), excerpt)
			off += i + 1
		}
	}
}

// keepLogs copies the processes' logs out of the test's folder when the
// test failed, and says where.
func (c *chaos) keepLogs(seed int64) {
	if !c.t.Failed() {
		return
	}
	dst := filepath.Join(os.TempDir(), fmt.Sprintf("healthanchor-chaos-%d-logs", seed))
	os.RemoveAll(dst)
	if err := os.CopyFS(dst, os.DirFS(filepath.Join(c.dir, "logs"))); err != nil {
		c.t.Logf("keeping the logs: %v", err)
		return
	}
	c.t.Logf("the processes' logs are kept in %s", dst)
}

// logCounts says how often the processes logged what the faults should
// cause: waits for room on the full disk, failed jobs, Raft elections.
func (c *chaos) logCounts() string {
	marks := []struct{ name, text string }{
		{"disk-full waits", "disk full: waiting for room"},
		{"failed jobs", `"msg":"job failed"`},
		{"elections won", "entering leader state"},
	}
	logs, _ := filepath.Glob(filepath.Join(c.dir, "logs", "*.log"))
	counts := make([]int, len(marks))
	for _, path := range logs {
		raw, _ := os.ReadFile(path)
		for i, m := range marks {
			counts[i] += strings.Count(string(raw), m.text)
		}
	}
	var parts []string
	for i, m := range marks {
		parts = append(parts, fmt.Sprintf("%s %d", m.name, counts[i]))
	}
	return strings.Join(parts, ", ")
}
