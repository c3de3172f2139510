package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// demoProcs runs this binary as the processes of a local consortium:
// the long-running `serve` of each agency and the one-shot steps, every
// one in dir so that the commands it prints can be pasted there.
type demoProcs struct {
	exe, dir string
	out      io.Writer
	nodes    []*demoNode
}

// demoNode is one agency's `serve` process.
type demoNode struct {
	id     string
	cmd    *exec.Cmd
	exited chan error
}

// stepResult is what one step printed and how it exited.
type stepResult struct {
	stdout, stderr string
	code           int
}

// serve starts `--config ID/healthanchor.yaml serve` with its output in
// ID/node.log.
func (p *demoProcs) serve(id string) error {
	logf, err := os.OpenFile(filepath.Join(p.dir, id, "node.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("demo: %s: %w", id, err)
	}
	c := exec.Command(p.exe, "--config", filepath.Join(id, "healthanchor.yaml"), "serve")
	c.Dir, c.Stdout, c.Stderr = p.dir, logf, logf
	if err := c.Start(); err != nil {
		logf.Close()
		return fmt.Errorf("demo: start %s: %w", id, err)
	}
	nd := &demoNode{id: id, cmd: c, exited: make(chan error, 1)}
	go func() { nd.exited <- c.Wait(); logf.Close() }()
	p.nodes = append(p.nodes, nd)
	return nil
}

// stop ends every process serve started: SIGTERM (a node finishes its
// run and closes its stores), then SIGKILL after grace. Each is reaped.
func (p *demoProcs) stop(grace time.Duration) {
	for _, nd := range p.nodes {
		nd.cmd.Process.Signal(syscall.SIGTERM)
	}
	deadline := time.After(grace)
	for _, nd := range p.nodes {
		select {
		case <-nd.exited:
		case <-deadline:
			nd.cmd.Process.Kill()
			<-nd.exited
		}
	}
	p.nodes = nil
}

// exitedEarly names a node whose process is no longer running.
func (p *demoProcs) exitedEarly() error {
	for _, nd := range p.nodes {
		select {
		case err := <-nd.exited:
			nd.exited <- err
			return fmt.Errorf("demo: %s's node stopped (%v); see %s", nd.id, err, filepath.Join(p.dir, nd.id, "node.log"))
		default:
		}
	}
	return nil
}

// run runs one step quietly and returns its output and exit code.
func (p *demoProcs) run(ctx context.Context, args ...string) (stepResult, error) {
	c := exec.CommandContext(ctx, p.exe, args...)
	var out, errb bytes.Buffer
	c.Dir, c.Stdout, c.Stderr = p.dir, &out, &errb
	err := c.Run()
	r := stepResult{stdout: out.String(), stderr: errb.String()}
	var ee *exec.ExitError
	switch {
	case ctx.Err() != nil:
		return r, ctx.Err()
	case errors.As(err, &ee):
		r.code = ee.ExitCode()
	case err != nil:
		return r, fmt.Errorf("demo: healthanchor %s: %w", strings.Join(args, " "), err)
	}
	return r, nil
}

// show prints the command line, runs it and prints its standard output
// (and its standard error when it fails), indented.
func (p *demoProcs) show(ctx context.Context, args ...string) (stepResult, error) {
	fmt.Fprintf(p.out, "$ healthanchor %s\n", strings.Join(args, " "))
	r, err := p.run(ctx, args...)
	if err != nil {
		return r, err
	}
	indent(p.out, r.stdout)
	if r.code != 0 {
		indent(p.out, r.stderr)
	}
	return r, nil
}

func indent(w io.Writer, text string) {
	for _, line := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		if line != "" {
			fmt.Fprintf(w, "    %s\n", line)
		}
	}
}

// waitFor polls cond every 300 ms until it holds, the nodes stop, ctx
// ends or d passes.
func (p *demoProcs) waitFor(ctx context.Context, what string, d time.Duration, cond func() (bool, error)) error {
	deadline := time.Now().Add(d)
	for {
		ok, err := cond()
		if err != nil || ok {
			return err
		}
		if err := p.exitedEarly(); err != nil {
			return err
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("demo: timed out after %v waiting for %s; the nodes' logs are %s/node*/node.log", d, what, p.dir)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(300 * time.Millisecond):
		}
	}
}
