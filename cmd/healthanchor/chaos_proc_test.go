//go:build chaos

package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"
)

// chaosRun is a `run inbox` process standing in for a node whose serve
// was killed (run and serve hold the same ports, so one at a time).
type chaosRun struct {
	id     string
	cmd    *exec.Cmd
	done   chan error
	killAt time.Time
}

// startRun starts `run inbox` for nd, to be SIGKILLed after killAfter
// if it has not ended by then.
func startRun(c *chaos, nd *clusterNode, killAfter time.Duration) *chaosRun {
	c.t.Helper()
	logf, err := os.OpenFile(filepath.Join(c.dir, "logs", nd.id+".run.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		c.t.Fatal(err)
	}
	r := &chaosRun{id: nd.id, cmd: exec.Command(binary, "--config", nd.config, "run", "inbox"), done: make(chan error, 1), killAt: time.Now().Add(killAfter)}
	r.cmd.Stdout, r.cmd.Stderr = logf, logf
	if err := r.cmd.Start(); err != nil {
		c.t.Fatal(err)
	}
	c.net.own(r.cmd.Process.Pid, nd.id)
	go func() { r.done <- r.cmd.Wait(); logf.Close() }()
	c.logf("run inbox at %s (SIGKILL in %v unless it ends)", nd.id, killAfter.Round(100*time.Millisecond))
	return r
}

// tend reaps the run if it ended, or kills it when due; true once it is
// gone.
func (r *chaosRun) tend(c *chaos, now time.Time) bool {
	select {
	case err := <-r.done:
		r.ended(c, err, false)
		return true
	default:
	}
	if now.Before(r.killAt) {
		return false
	}
	r.cmd.Process.Signal(syscall.SIGKILL)
	r.ended(c, <-r.done, true)
	return true
}

// wait lets the run end until deadline, then kills it.
func (r *chaosRun) wait(c *chaos, deadline time.Time) {
	select {
	case err := <-r.done:
		r.ended(c, err, false)
	case <-time.After(time.Until(deadline)):
		r.cmd.Process.Signal(syscall.SIGKILL)
		r.ended(c, <-r.done, true)
	}
}

// kill ends the run at the end of the test.
func (r *chaosRun) kill() {
	r.cmd.Process.Signal(syscall.SIGKILL)
	<-r.done
}

func (r *chaosRun) ended(c *chaos, err error, killed bool) {
	c.net.forget(r.cmd.Process.Pid)
	var ee *exec.ExitError
	switch {
	case killed:
		c.faults["kill-run"]++
		c.logf("SIGKILL run at %s", r.id)
	case err == nil:
		c.runs["ok"]++
	case errors.As(err, &ee):
		c.runs[fmt.Sprintf("exit %d", ee.ExitCode())]++
		c.logf("run at %s: %v: %s", r.id, err, lastRunLines(c, r.id, 2))
	default:
		c.t.Fatalf("run at %s: %v", r.id, err)
	}
}

func lastRunLines(c *chaos, id string, n int) string {
	return lastLogLines(c, id+".run", n)
}

// chaosDisk is a node folder on its own small tmpfs, which the test can
// fill to the last byte.
type chaosDisk struct {
	id, dir string
}

// mountDisk moves a node's folder onto a fresh 64 MiB tmpfs (Linux,
// root). On failure the folder is left as it was.
func mountDisk(dir string) (*chaosDisk, error) {
	aside := dir + ".aside"
	if err := os.Rename(dir, aside); err != nil {
		return nil, err
	}
	undo := func(err error) (*chaosDisk, error) {
		os.Remove(dir)
		os.Rename(aside, dir)
		return nil, err
	}
	if err := os.Mkdir(dir, 0o755); err != nil {
		return undo(err)
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=64m,mode=0755", "tmpfs", dir).CombinedOutput(); err != nil {
		return undo(fmt.Errorf("mount -t tmpfs: %v: %s", err, out))
	}
	if out, err := exec.Command("cp", "-a", aside+"/.", dir+"/").CombinedOutput(); err != nil {
		exec.Command("umount", dir).Run()
		return undo(fmt.Errorf("cp -a: %v: %s", err, out))
	}
	os.RemoveAll(aside)
	return &chaosDisk{id: filepath.Base(dir), dir: dir}, nil
}

func (d *chaosDisk) filler() string { return filepath.Join(d.dir, ".filler") }

// fill writes a file until the tmpfs has no byte left.
func (d *chaosDisk) fill() error {
	f, err := os.OpenFile(d.filler(), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		if errors.Is(err, syscall.ENOSPC) {
			return nil
		}
		return err
	}
	defer f.Close()
	for _, size := range []int{1 << 20, 4 << 10, 1} {
		buf := make([]byte, size)
		for {
			if _, err := f.Write(buf); err != nil {
				if !errors.Is(err, syscall.ENOSPC) {
					return err
				}
				break
			}
		}
	}
	return nil
}

// free removes the filler.
func (d *chaosDisk) free() { os.Remove(d.filler()) }

// unmount detaches the tmpfs at the end of the test (lazily: a process
// may still hold a file).
func (d *chaosDisk) unmount() { exec.Command("umount", "-l", d.dir).Run() }
