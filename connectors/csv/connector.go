package csv

import (
	"context"
	"fmt"

	"github.com/healthanchor/healthanchor/connectors"
	"github.com/healthanchor/healthanchor/schemas"
)

func init() {
	connectors.Register(connectors.Typed("csv", "CSV files dropped in a folder (a file or a glob), each taken once",
		func(cfg Config, env connectors.Env) (connectors.Connector, error) { return New(cfg, env) }))
}

var _ connectors.Connector = (*Connector)(nil)

// Connector reads the CSV files of one drop folder.
type Connector struct {
	cfg    Config
	env    connectors.Env
	schema *schemas.Schema
	drop   connectors.DropFolder
	enc    textEncoding
	delim  byte
	quote  byte
	conv   converter
}

// New returns a connector for cfg; it validates cfg (applying defaults)
// first. A nil env.Logger discards warnings.
func New(cfg Config, env connectors.Env) (*Connector, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if env.Logger == nil {
		env.Logger = discardLogger
	}
	schema, _ := schemas.Lookup(cfg.Schema)
	enc, _ := lookupEncoding(cfg.Encoding)
	delim, _ := parseDelimiter(cfg.Delimiter)
	quote, _ := parseQuote(cfg.Quote)
	return &Connector{
		cfg:    cfg,
		env:    env,
		schema: schema,
		drop:   connectors.DropFolder{BaseDir: env.BaseDir, Pattern: cfg.Input, Progress: env.Progress, Digests: env.DigestCache()},
		enc:    enc,
		delim:  delim,
		quote:  quote,
		conv:   converter{dates: connectors.NewLayouts(cfg.DateFormats), times: connectors.NewLayouts(cfg.TimeFormats), loc: env.Zone(cfg.loc)},
	}, nil
}

// Config returns the connector's options with their defaults applied.
func (c *Connector) Config() Config { return c.cfg }

// Source names the source system (option source, default "csv").
func (c *Connector) Source() string { return c.cfg.Source }

// Schemas is the one schema the connector's rows are in.
func (c *Connector) Schemas() []*schemas.Schema { return []*schemas.Schema{c.schema} }

// Plan lists the files matching input now: files not yet taken are added
// to the window with their SHA-256, and a taken file whose content has
// changed is noted so that Read reports it once.
func (c *Connector) Plan(ctx context.Context, from connectors.Watermark) (connectors.Watermark, error) {
	to, err := c.drop.Plan(ctx, from)
	if err != nil {
		return nil, fmt.Errorf("csv: %w", err)
	}
	return to, nil
}

// Read streams the records of every file new in the window (from, to], in
// name order, after one reject per file reported changed. A file whose
// content differs from its planned digest fails the read.
func (c *Connector) Read(ctx context.Context, from, to connectors.Watermark, emit connectors.EmitFunc) error {
	files, changed, err := c.drop.Window(from, to)
	if err != nil {
		return fmt.Errorf("csv: %w", err)
	}
	for _, r := range changed {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("csv: %w", err)
		}
		r.Reject.Target = c.schema.ID()
		c.env.Logger.Warn("input changed after it was taken", logKeyFile, r.SourceRef)
		if err := emit(r); err != nil {
			return err
		}
	}
	for _, f := range files {
		if err := c.readFile(ctx, f, emit); err != nil {
			return err
		}
	}
	return nil
}
