package hl7

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/healthanchor/healthanchor/connectors"
	"github.com/healthanchor/healthanchor/schemas"
)

func init() {
	connectors.Register(connectors.Typed("hl7", "HL7 v2 files (ER7, batches, MLLP captures) or messages received over MLLP (listen): PID of any message to patient/1, ADT to encounter/1, ORU^R01 to observation/1, ORC/OBR to order/1, VXU^V04 to immunization/1, DG1/PRB to condition/1, AL1/IAM to allergy/1",
		func(cfg Config, env connectors.Env) (connectors.Connector, error) { return New(cfg, env) }))
}

// Connector reads HL7 v2 files from a file or a glob, each file taken
// once, or, with listen, the spool its MLLP listener fills, and streams
// their canonical rows and rejects.
type Connector struct {
	cfg    Config
	env    connectors.Env
	log    *slog.Logger
	drop   connectors.DropFolder
	mapper Mapper
	// perMessage makes the listener's spool fsync each message alone
	// (the benchmark's baseline; set by tests).
	perMessage bool
}

var _ connectors.Connector = (*Connector)(nil)

// New returns a connector for cfg, which New validates.
func New(cfg Config, env connectors.Env) (*Connector, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if env.Logger == nil {
		env.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Listen != "" && cfg.Spool == "" && env.Job == "" {
		return nil, fmt.Errorf("hl7: spool: required when the job has no name")
	}
	loc := cfg.loc
	if loc == nil {
		loc = env.Loc()
	}
	return &Connector{
		cfg:    cfg,
		env:    env,
		log:    env.Logger,
		drop:   connectors.DropFolder{BaseDir: env.BaseDir, Pattern: cfg.Input, Progress: env.Progress, Digests: env.DigestCache()},
		mapper: Mapper{Source: cfg.Source, Location: loc, PreferIDType: cfg.PreferIDType},
	}, nil
}

// Source returns the configured source name, or "hl7"; rows carry their
// message's MSH-4 unless a source is configured.
func (c *Connector) Source() string {
	if c.cfg.Source != "" {
		return c.cfg.Source
	}
	return DefaultSource
}

// Schemas lists patient/1 (the primary schema, which carries the
// rejects), encounter/1, observation/1, order/1, immunization/1,
// condition/1 and allergy/1.
func (c *Connector) Schemas() []*schemas.Schema {
	return []*schemas.Schema{schemas.Patient, schemas.Encounter, schemas.Observation,
		schemas.Order, schemas.Immunization, schemas.Condition, schemas.Allergy}
}

// Plan lists the input files present now (the drop-folder watermark),
// or, for a listening job, the spool segments sealed now.
func (c *Connector) Plan(ctx context.Context, from connectors.Watermark) (connectors.Watermark, error) {
	if c.Listening() {
		return c.planSpool(ctx, from)
	}
	w, err := c.drop.Plan(ctx, from)
	if err != nil {
		return nil, wrap(err)
	}
	return w, nil
}

// Read streams the records of every file of the window, in name order,
// each file's records in input order. A file changed since it was
// planned fails the read. A listening job's window is spool segments,
// read in order.
func (c *Connector) Read(ctx context.Context, from, to connectors.Watermark, emit connectors.EmitFunc) error {
	if c.Listening() {
		return c.readSpool(ctx, from, to, emit)
	}
	files, changed, err := c.drop.Window(from, to)
	if err != nil {
		return wrap(err)
	}
	for _, r := range changed {
		if err := emit(r); err != nil {
			return err
		}
	}
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			return wrap(err)
		}
		if err := c.readFile(ctx, f, emit); err != nil {
			return err
		}
	}
	return nil
}
