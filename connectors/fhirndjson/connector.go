package fhirndjson

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/healthanchor/healthanchor/connectors"
	"github.com/healthanchor/healthanchor/schemas"
)

func init() {
	connectors.Register(connectors.Typed("fhir-ndjson", "reads FHIR Bulk Data NDJSON exports (Patient, Encounter, Observation) from a drop folder", New))
}

var _ connectors.Connector = (*Connector)(nil)

// Connector reads one configured export folder.
type Connector struct {
	cfg  Config
	env  connectors.Env
	drop connectors.DropFolder
	conv connectors.Converter
}

// New builds the connector from a validated config.
func New(cfg Config, env connectors.Env) (connectors.Connector, error) {
	return &Connector{
		cfg:  cfg,
		env:  env,
		drop: connectors.DropFolder{BaseDir: env.BaseDir, Pattern: cfg.Input, Progress: env.Progress, Digests: env.DigestCache()},
		conv: connectors.Converter{
			Dates: connectors.NewLayouts([]string{"2006-01-02"}),
			// FHIR dateTime and instant; a date alone is midnight in the zone.
			Times: connectors.NewLayouts([]string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02"}),
			Loc:   env.Zone(cfg.loc),
		},
	}, nil
}

// Source names the source system.
func (c *Connector) Source() string { return c.cfg.Source }

// Schemas are patient/1 (which carries the rejects), encounter/1 and observation/1.
func (c *Connector) Schemas() []*schemas.Schema {
	return []*schemas.Schema{schemas.Patient, schemas.Encounter, schemas.Observation}
}

// Plan lists the files matching input now, as the csv connector does.
func (c *Connector) Plan(ctx context.Context, from connectors.Watermark) (connectors.Watermark, error) {
	to, err := c.drop.Plan(ctx, from)
	if err != nil {
		return nil, fmt.Errorf("fhir-ndjson: %w", err)
	}
	return to, nil
}

// Read streams the resources of every file new in the window, in name
// order, one record a line. With identifier_system set, the window's
// Patient resources are read first to resolve subjects.
func (c *Connector) Read(ctx context.Context, from, to connectors.Watermark, emit connectors.EmitFunc) error {
	files, changed, err := c.drop.Window(from, to)
	if err != nil {
		return fmt.Errorf("fhir-ndjson: %w", err)
	}
	for _, r := range changed {
		r.Reject.Target = schemas.Patient.ID()
		if err := emit(r); err != nil {
			return err
		}
	}
	pats := &patients{system: c.cfg.IdentifierSystem, ids: map[string]string{}}
	if pats.system != "" {
		for _, f := range files {
			if err := c.scan(ctx, f, func(_ int, line []byte) error {
				var r struct {
					ResourceType string       `json:"resourceType"`
					ID           string       `json:"id"`
					Identifier   []identifier `json:"identifier"`
				}
				if json.Unmarshal(line, &r) == nil && r.ResourceType == "Patient" {
					for _, id := range r.Identifier {
						if id.System == pats.system && id.Value != "" {
							pats.ids[r.ID] = id.Value
							break
						}
					}
				}
				return nil
			}); err != nil {
				return err
			}
		}
	}
	rows := map[*schemas.Schema]schemas.Row{}
	for _, f := range files {
		err := c.scan(ctx, f, func(n int, line []byte) error {
			return emit(c.record(f.Key+":"+strconv.Itoa(n), line, pats, rows))
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// scan calls fn with each non-blank line of a window file and its number.
func (c *Connector) scan(ctx context.Context, f connectors.WindowFile, fn func(int, []byte) error) error {
	v, err := f.Open()
	if err != nil {
		return fmt.Errorf("fhir-ndjson: %w", err)
	}
	defer v.Close()
	sc := bufio.NewScanner(v)
	sc.Buffer(make([]byte, 0, min(1<<16, c.cfg.MaxLineBytes)), c.cfg.MaxLineBytes)
	n := 0
	for sc.Scan() {
		n++
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("fhir-ndjson: %w", err)
		}
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		if err := fn(n, line); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return fmt.Errorf("fhir-ndjson: %s:%d: a resource longer than max_line_bytes (%d)", f.Key, n+1, c.cfg.MaxLineBytes)
		}
		return fmt.Errorf("fhir-ndjson: %w", err)
	}
	_, err = io.Copy(io.Discard, v) // reach EOF so the digest is checked
	if err != nil {
		return fmt.Errorf("fhir-ndjson: %w", err)
	}
	return nil
}

// record maps one resource to a row, or to a reject naming the path at fault.
func (c *Connector) record(ref string, line []byte, pats *patients, rows map[*schemas.Schema]schemas.Row) connectors.Record {
	reject := func(target string, err error) connectors.Record {
		return connectors.Record{SourceRef: ref, Reject: &connectors.Reject{Target: target, Reason: ref + ": " + err.Error(), Raw: append([]byte(nil), line...)}}
	}
	var r resource
	if err := json.Unmarshal(line, &r); err != nil {
		return reject("", fmt.Errorf("not a FHIR resource in JSON: %v", err))
	}
	s := schemaOf(r.ResourceType)
	if s == nil {
		return reject("", errAt("resourceType", "%q is not read by fhir-ndjson (Patient, Encounter, Observation)", r.ResourceType))
	}
	if rows[s] == nil {
		rows[s] = connectors.NewRow(s, c.cfg.Source, ref)
	}
	b := &rowBuilder{s: s, conv: &c.conv, row: connectors.ResetRow(rows[s], s, c.cfg.Source, ref), m: c.cfg.mappings[s]}
	var err error
	switch s {
	case schemas.Patient:
		err = b.patient(&r, pats)
	case schemas.Encounter:
		err = b.encounter(&r, pats)
	default:
		err = b.observation(&r, pats)
	}
	if err == nil {
		err = b.apply(line, c.cfg.paths)
	}
	if err != nil {
		return reject(s.ID(), err)
	}
	return connectors.Record{SourceRef: ref, Schema: s, Row: b.row}
}
