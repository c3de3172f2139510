package exec

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/healthanchor/healthanchor/connectors"
	"github.com/healthanchor/healthanchor/schemas"
)

func init() {
	connectors.Register(connectors.Typed("exec", "runs a Singer tap (SCHEMA/RECORD/STATE JSON lines) and maps one stream", New))
}

var (
	_ connectors.Connector = (*Connector)(nil)
	_ connectors.Committer = (*Connector)(nil)
)

// Connector runs one configured tap.
type Connector struct {
	cfg    Config
	env    connectors.Env
	conv   connectors.Converter
	lookup func(string) (string, bool) // environment, for ${NAME} in tap_config
	prefix string                      // names this job's spool files
}

// New builds the connector from a validated config.
func New(cfg Config, env connectors.Env) (connectors.Connector, error) {
	c := &Connector{cfg: cfg, env: env, lookup: os.LookupEnv}
	c.conv = connectors.Converter{
		Dates: connectors.NewLayouts(cfg.DateFormats),
		Times: connectors.NewLayouts(cfg.TimeFormats),
		Loc:   env.Zone(cfg.loc),
	}
	// Spool files are named after what the tap is and reads, so that two
	// jobs sharing a spool folder keep apart.
	id, _ := json.Marshal([]any{cfg.Command, cfg.Stream, cfg.TapConfig, cfg.Schema})
	sum := sha256.Sum256(id)
	c.prefix = "tap-" + hex.EncodeToString(sum[:6])
	return c, nil
}

// Source names the source system.
func (c *Connector) Source() string { return c.cfg.Source }

// Schemas is the one schema the stream maps to.
func (c *Connector) Schemas() []*schemas.Schema { return []*schemas.Schema{c.cfg.schema} }

func (c *Connector) spoolDir() string {
	if filepath.IsAbs(c.cfg.SpoolDir) {
		return c.cfg.SpoolDir
	}
	return filepath.Join(c.env.BaseDir, c.cfg.SpoolDir)
}

// Plan runs the tap from the STATE in from and spools its output. It
// returns from when the tap sent no record of the stream (nothing to
// anchor, and the state is not moved), else a watermark naming the spool
// and the tap's final STATE.
func (c *Connector) Plan(ctx context.Context, from connectors.Watermark) (connectors.Watermark, error) {
	wm, err := parseWatermark(from)
	if err != nil {
		return nil, err
	}
	s, err := c.runTap(ctx, wm.State)
	if err != nil {
		return nil, err
	}
	if s.records == 0 {
		os.Remove(s.path)
		c.env.Logger.Info("the tap sent no record of the stream", "stream", c.cfg.Stream)
		return from, nil
	}
	name, err := c.publishSpool(s)
	if err != nil {
		return nil, err
	}
	return watermark{State: s.state, Spool: name, CRC32C: fmt.Sprintf("%08x", s.crc32c), Records: s.records}.encode(), nil
}

// Read replays the spool the window's upper watermark names.
func (c *Connector) Read(ctx context.Context, from, to connectors.Watermark, emit connectors.EmitFunc) error {
	if bytes.Equal(from, to) {
		return nil
	}
	wm, err := parseWatermark(to)
	if err != nil {
		return err
	}
	if wm.Spool == "" || strings.ContainsAny(wm.Spool, `/\`) {
		return fmt.Errorf("exec: the window names no spool file")
	}
	return c.replay(ctx, filepath.Join(c.spoolDir(), wm.Spool), wm, emit)
}

// Committed removes the job's spool files once a window is committed:
// the committed one, and any a crash or a preview left behind.
func (c *Connector) Committed(ctx context.Context, from, to connectors.Watermark) error {
	var errs []error
	for _, pat := range []string{c.prefix + "-*.jsonl", "." + c.prefix + "-*.tmp"} {
		matches, _ := filepath.Glob(filepath.Join(c.spoolDir(), pat))
		for _, m := range matches {
			if err := os.Remove(m); err != nil {
				errs = append(errs, err)
			}
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("exec: remove spool: %v", errs)
	}
	return nil
}
