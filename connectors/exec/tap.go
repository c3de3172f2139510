package exec

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	osexec "os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/healthanchor/healthanchor/internal/fsutil"
)

// spooled is what one run of the tap left in the spool.
type spooled struct {
	path    string // the temporary file, written but not yet fsynced
	crc32c  uint32 // of the whole file
	size    int64
	state   json.RawMessage
	records int64
}

// runTap runs the tap with the given state and copies its output, checked
// line by line, into a temporary file in the spool folder.
func (c *Connector) runTap(ctx context.Context, state json.RawMessage) (_ spooled, err error) {
	var out spooled
	dir := c.spoolDir()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return out, fmt.Errorf("exec: spool_dir: %w", err)
	}
	args, cleanup, err := c.tapArgs(state)
	if err != nil {
		return out, err
	}
	defer cleanup()
	ctx, cancel := context.WithTimeout(ctx, c.cfg.timeout)
	defer cancel()
	cmd := osexec.CommandContext(ctx, c.cfg.Command[0], append(c.cfg.Command[1:len(c.cfg.Command):len(c.cfg.Command)], args...)...)
	cmd.Dir = c.env.BaseDir
	cmd.WaitDelay = 5 * time.Second
	stderr := &tail{max: 4096}
	cmd.Stderr = stderr
	// The tap writes its output into the spool file itself, which is
	// read back as it grows (one copy of the output fewer than a pipe's).
	f, err := os.CreateTemp(dir, "."+c.prefix+"-*.tmp")
	if err != nil {
		return out, fmt.Errorf("exec: spool: %w", err)
	}
	out.path = f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(out.path)
		}
	}()
	src, err := os.Open(out.path) // an offset of its own, not the tap's
	if err != nil {
		return out, fmt.Errorf("exec: spool: %w", err)
	}
	defer src.Close()
	cmd.Stdout = f
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return out, fmt.Errorf("exec: command: start %s: %w", c.cfg.Command[0], err)
	}
	exited := make(chan struct{})
	var waitErr error
	go func() {
		waitErr = cmd.Wait()
		close(exited)
	}()
	checkErr := c.checkOutput(newTailReader(src, exited), f, &out)
	if checkErr != nil {
		cancel() // stop a tap whose output is unusable
	}
	<-exited
	switch {
	case ctx.Err() == context.DeadlineExceeded:
		return out, fmt.Errorf("exec: the tap ran longer than timeout %s and was stopped%s", c.cfg.timeout, stderr.show())
	case checkErr != nil:
		return out, fmt.Errorf("exec: tap output: %w%s", checkErr, stderr.show())
	case waitErr != nil:
		return out, fmt.Errorf("exec: the tap failed (%w)%s", waitErr, stderr.show())
	case out.state == nil:
		return out, fmt.Errorf("exec: the tap ended without a STATE message, so the next run could not resume: nothing is anchored%s", stderr.show())
	}
	// The spool is fsynced by the replay, beside its reading (replay.go).
	if err := f.Close(); err != nil {
		return out, fmt.Errorf("exec: spool: %w", err)
	}
	c.env.Logger.Info("tap output spooled", "records", out.records, "bytes", out.size,
		"seconds", time.Since(start).Seconds())
	return out, nil
}

// checkLine checks one line of the tap's output (its newline cut) and
// notes what it is.
func (c *Connector) checkLine(b []byte, line int, out *spooled) error {
	var typ, stream, value []byte
	if err := checkedMembers(b, func(k, v []byte) error {
		switch string(k) {
		case "type":
			typ = v
		case "stream":
			stream = v
		case "value":
			value = v
		}
		return nil
	}); err != nil {
		var v any
		if err := json.Unmarshal(b, &v); err != nil {
			return fmt.Errorf("line %d is not a JSON message (%v): %.80q", line, err, b)
		}
		return fmt.Errorf("line %d is not a JSON object: %.80q", line, b)
	}
	switch {
	case isString(typ, "RECORD"):
		if isString(stream, c.cfg.Stream) {
			out.records++
		}
	case isString(typ, "STATE"):
		if len(value) == 0 || string(value) == "null" {
			return fmt.Errorf("line %d: STATE without a value", line)
		}
		out.state = append(json.RawMessage(nil), compactJSON(value)...)
	case len(typ) < 3 || typ[0] != '"':
		return fmt.Errorf("line %d has no message type: %.80q", line, b)
	}
	return nil
}

// tapArgs writes the tap's config (and state, when there is one) to
// private temporary files and returns the arguments naming them.
func (c *Connector) tapArgs(state json.RawMessage) ([]string, func(), error) {
	dir, err := os.MkdirTemp("", "healthanchor-tap-")
	if err != nil {
		return nil, func() {}, fmt.Errorf("exec: %w", err)
	}
	cleanup := func() { os.RemoveAll(dir) }
	conf, err := expandConfig(c.cfg.TapConfig, c.lookup)
	if err != nil {
		cleanup()
		return nil, func() {}, err
	}
	raw, err := json.Marshal(conf)
	if err != nil {
		cleanup()
		return nil, func() {}, fmt.Errorf("exec: tap_config: %w", err)
	}
	args := []string{"--config", filepath.Join(dir, "config.json")}
	if err := os.WriteFile(args[1], raw, 0o600); err != nil {
		cleanup()
		return nil, func() {}, fmt.Errorf("exec: %w", err)
	}
	if len(state) > 0 {
		args = append(args, "--state", filepath.Join(dir, "state.json"))
		if err := os.WriteFile(args[3], state, 0o600); err != nil {
			cleanup()
			return nil, func() {}, fmt.Errorf("exec: %w", err)
		}
	}
	return args, cleanup, nil
}

var envRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)

// expandConfig returns a copy of the tap config with ${NAME} in string
// values replaced by the environment variable NAME.
func expandConfig(conf map[string]any, lookup func(string) (string, bool)) (map[string]any, error) {
	var missing []string
	var walk func(v any) any
	walk = func(v any) any {
		switch v := v.(type) {
		case string:
			return envRef.ReplaceAllStringFunc(v, func(ref string) string {
				name := envRef.FindStringSubmatch(ref)[1]
				val, ok := lookup(name)
				if !ok {
					missing = append(missing, name)
				}
				return val
			})
		case map[string]any:
			out := make(map[string]any, len(v))
			for k, x := range v {
				out[k] = walk(x)
			}
			return out
		case []any:
			out := make([]any, len(v))
			for i, x := range v {
				out[i] = walk(x)
			}
			return out
		}
		return v
	}
	out, _ := walk(map[string]any(conf)).(map[string]any)
	if len(missing) > 0 {
		return nil, fmt.Errorf("exec: tap_config: environment variable %s is not set", strings.Join(missing, ", "))
	}
	if out == nil {
		out = map[string]any{}
	}
	return out, nil
}

// publishSpool renames a finished temporary spool to its content name and
// syncs the folder, so that the spool's name survives a crash once the
// window naming it is recorded. Its content is fsynced by the replay,
// before anything of the window can be anchored: a spool cut short by a
// machine crash before that fails its checksum at the replay, and the
// window, of which nothing was anchored, is planned again (the tap runs
// again from the committed STATE).
func (c *Connector) publishSpool(s spooled) (string, error) {
	name := fmt.Sprintf("%s-%08x-%d.jsonl", c.prefix, s.crc32c, s.size)
	dir := c.spoolDir()
	if err := os.Rename(s.path, filepath.Join(dir, name)); err != nil {
		return "", fmt.Errorf("exec: spool: %w", err)
	}
	if err := fsutil.SyncDir(dir); err != nil {
		return "", fmt.Errorf("exec: spool: %w", err)
	}
	return name, nil
}

// tail keeps the last max bytes written to it (the tap's stderr).
type tail struct {
	max int
	buf []byte
}

func (t *tail) Write(p []byte) (int, error) {
	t.buf = append(t.buf, p...)
	if len(t.buf) > t.max {
		t.buf = append(t.buf[:0], t.buf[len(t.buf)-t.max:]...)
	}
	return len(p), nil
}

// show returns the tail for an error message, or "".
func (t *tail) show() string {
	s := strings.TrimSpace(strings.ToValidUTF8(string(t.buf), "\uFFFD"))
	if s == "" {
		return "; the tap wrote nothing on stderr"
	}
	return "; the tap's stderr ends with:\n" + s
}
