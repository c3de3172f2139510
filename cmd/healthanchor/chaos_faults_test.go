//go:build chaos

package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// after schedules fn d from now, run by the injection loop (or by heal).
func (c *chaos) after(d time.Duration, fn func()) {
	c.events = append(c.events, chaosEvent{at: time.Now().Add(d), fn: fn})
}

func (c *chaos) runDue(now time.Time) {
	var later []chaosEvent
	due := c.events
	c.events = nil
	for _, e := range due {
		if now.After(e.at) {
			e.fn()
		} else {
			later = append(later, e)
		}
	}
	c.events = append(c.events, later...)
}

func (c *chaos) ids() []string {
	var out []string
	for _, nd := range c.tc.nodes {
		out = append(out, nd.id)
	}
	return out
}

func (c *chaos) pick() string {
	ids := c.ids()
	return ids[c.rng.Intn(len(ids))]
}

func (c *chaos) pickOther(not string) string {
	for {
		if id := c.pick(); id != not {
			return id
		}
	}
}

func (c *chaos) dur(min, max time.Duration) time.Duration {
	return min + time.Duration(c.rng.Int63n(int64(max-min)))
}

// inject runs the faults and the file drops for d.
func (c *chaos) inject(d time.Duration) {
	end := time.Now().Add(d)
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	for now := range tick.C {
		if now.After(end) {
			return
		}
		c.runDue(now)
		c.tendProcesses(now)
		if c.rng.Float64() < 0.3 {
			c.dropFile(c.pick())
		}
		if c.rng.Float64() < 0.2 {
			c.fault()
		}
	}
}

// fault injects one fault chosen at random. At most one node at a time
// is killed, isolated or out of disk, so that the two others keep a
// quorum unless a link fault hits them too.
func (c *chaos) fault() {
	kinds := []string{"kill-node", "kill-node", "isolate-node", "cut-link", "delay-link", "delay-link", "reset-link", "reset-link"}
	if c.full != nil {
		kinds = append(kinds, "disk-full")
	}
	kind := kinds[c.rng.Intn(len(kinds))]
	switch kind {
	case "kill-node", "isolate-node", "disk-full":
		if c.impair != "" {
			return
		}
	}
	switch kind {
	case "kill-node":
		c.killNode(c.pick())
	case "isolate-node":
		id := c.pick()
		c.impair = id
		others := c.othersOf(id)
		for _, o := range others {
			c.net.setCut(id, o, true)
		}
		d := c.dur(2*time.Second, 7*time.Second)
		c.logf("isolate %s for %v", id, d.Round(100*time.Millisecond))
		c.after(d, func() {
			for _, o := range others {
				c.net.setCut(id, o, false)
			}
			c.impair = ""
			c.logf("%s rejoins the network", id)
		})
	case "cut-link":
		a := c.pick()
		b := c.pickOther(a)
		c.net.setCut(a, b, true)
		d := c.dur(2*time.Second, 6*time.Second)
		c.logf("cut %s-%s for %v", a, b, d.Round(100*time.Millisecond))
		c.after(d, func() { c.net.setCut(a, b, false) })
	case "delay-link":
		a := c.pick()
		b := c.pickOther(a)
		lat := c.dur(20*time.Millisecond, 400*time.Millisecond)
		d := c.dur(3*time.Second, 10*time.Second)
		c.net.setDelay(a, b, lat)
		c.logf("delay %s-%s by %v for %v", a, b, lat.Round(time.Millisecond), d.Round(100*time.Millisecond))
		c.after(d, func() { c.net.setDelay(a, b, 0) })
	case "reset-link":
		a := c.pick()
		b := c.pickOther(a)
		n := c.net.resetLink(a, b)
		c.logf("reset %d connections between %s and %s", n, a, b)
	case "disk-full":
		id := c.full.id
		c.impair = id
		if err := c.full.fill(); err != nil {
			c.t.Fatalf("fill %s's disk: %v", id, err)
		}
		d := c.dur(3*time.Second, 10*time.Second)
		c.logf("disk of %s full for %v", id, d.Round(100*time.Millisecond))
		c.after(d, func() {
			c.full.free()
			c.impair = ""
			c.logf("disk of %s has room again", id)
		})
	}
	c.faults[kind]++
}

func (c *chaos) othersOf(id string) []string {
	var out []string
	for _, o := range c.ids() {
		if o != id {
			out = append(out, o)
		}
	}
	return out
}

// killNode SIGKILLs a node's serve process; it stays down a while, and
// most times a `run` process takes its place meanwhile (killed mid-run
// half of the time), then serve restarts.
func (c *chaos) killNode(id string) {
	st := c.state[id]
	if st.down || st.nd.cmd == nil {
		return
	}
	c.impair = id
	c.stopServe(st)
	st.down = true
	st.restartAt = time.Now().Add(c.dur(500*time.Millisecond, 4*time.Second))
	c.logf("SIGKILL serve of %s", id)
	if c.rng.Float64() < 0.7 {
		killAfter := c.dur(100*time.Millisecond, 2500*time.Millisecond)
		if c.rng.Float64() < 0.4 {
			killAfter = 40 * time.Second // let it finish, unless it hangs
		}
		c.after(300*time.Millisecond, func() {
			if !st.down || st.nd.cmd != nil || st.run != nil {
				return
			}
			st.run = startRun(c, st.nd, killAfter)
			c.faults["run"]++
		})
	}
}

func (c *chaos) stopServe(st *chaosNode) {
	if st.nd.cmd == nil {
		return
	}
	pid := st.nd.cmd.Process.Pid
	c.tc.kill(st.nd)
	c.net.forget(pid)
}

func (c *chaos) startServe(st *chaosNode) {
	c.tc.start(st.nd)
	c.net.own(st.nd.cmd.Process.Pid, st.nd.id)
	st.down = false
}

// tendProcesses restarts killed nodes when due, reaps `run` processes
// (killing those due), and restarts a serve that exited by itself.
func (c *chaos) tendProcesses(now time.Time) {
	for _, id := range c.ids() {
		st := c.state[id]
		if st.run != nil && st.run.tend(c, now) {
			st.run = nil
		}
		if st.down && st.run == nil && now.After(st.restartAt) {
			c.startServe(st)
			if c.impair == id {
				c.impair = ""
			}
			c.logf("restart serve of %s", id)
			continue
		}
		if st.nd.cmd == nil {
			continue
		}
		select {
		case err := <-st.nd.exited:
			c.net.forget(st.nd.cmd.Process.Pid)
			st.nd.cmd = nil
			c.faults["serve-exited"]++
			c.logf("serve of %s exited by itself (%v): %s", id, err, lastLogLines(c, id, 3))
			st.down = true
			st.restartAt = now.Add(time.Second)
		default:
		}
	}
}

func lastLogLines(c *chaos, id string, n int) string {
	raw, _ := os.ReadFile(filepath.Join(c.dir, "logs", id+".log"))
	lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " | ")
}

func (c *chaos) faultSummary() string {
	var kinds []string
	for k := range c.faults {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	var parts []string
	for _, k := range kinds {
		parts = append(parts, fmt.Sprintf("%s %d", k, c.faults[k]))
	}
	parts = append(parts, fmt.Sprintf("connections refused %d, reset %d; runs that ended by themselves %v", c.net.refused.Load(), c.net.reset.Load(), c.runs))
	return strings.Join(parts, ", ")
}
