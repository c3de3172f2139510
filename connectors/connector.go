// Package connectors defines what a source connector is, the registry
// connectors join by name (as database/sql drivers do), and the typed
// option decoding they share. Each source kind lives in a sub-package
// (csv, hl7, sql) that registers itself in init; connectortest is the
// conformance kit every connector's tests run.
//
// A connector never imports anchor: it turns source bytes into canonical
// rows and rejects, and the pipeline does the rest.
package connectors

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/healthanchor/healthanchor/schemas"
)

// Record is one item a connector streams: a canonical row, or a reject.
type Record struct {
	// SourceRef is the record's position in the source ("export.csv:12",
	// "adt.hl7#3/MSG0001"). Unique per schema within a source.
	SourceRef string
	// Schema and Row are set for a row. Row has one value per column of
	// Schema, with source and source_ref filled; the pipeline fills
	// _schema and _salt. Row belongs to the connector: it is valid only
	// during the EmitFunc call (the connector may reuse it for the next
	// record), so a receiver that keeps it copies it.
	Schema *schemas.Schema
	Row    schemas.Row
	// Reject is set, instead of Schema and Row, for input that could not
	// become a row.
	Reject *Reject
}

// Reject says why some input could not become a canonical row.
type Reject struct {
	Target string // the schema id the input was meant for, if known
	Reason string // human-readable, naming the field at fault
	Raw    []byte // the input bytes as read
}

// Watermark is a connector's opaque resume position (JSON). Nil means
// "from the beginning of the source".
type Watermark []byte

// EmitFunc receives records in source order. A non-nil error stops the
// read and is returned by Read.
type EmitFunc func(Record) error

// Connector reads one configured source.
type Connector interface {
	// Source names the source system; it fills every row's source column.
	Source() string

	// Schemas lists the canonical schemas the connector can emit.
	Schemas() []*schemas.Schema

	// Plan fixes the window the next read covers: everything after the
	// watermark from, up to the watermark it returns (for a table, an
	// upper bound taken now; for a drop folder, the files present now with
	// their digests). It returns from itself when there is nothing new.
	// Planning twice over unchanged input returns the same watermark.
	Plan(ctx context.Context, from Watermark) (Watermark, error)

	// Read streams, in a deterministic order, every record of the window
	// (from, to], where to came from Plan. Reading the same window twice
	// streams the same records, which is what makes a re-run after a
	// crash reproduce the same batch. Bad input is streamed as rejects,
	// never returned as an error; an error means the window could not be
	// read as a whole (source unreachable, a file changed under us, ctx
	// cancelled, emit failed) and nothing of it may be used. Read returns
	// promptly with an error wrapping ctx.Err() once ctx is done.
	Read(ctx context.Context, from, to Watermark, emit EmitFunc) error
}

// Env is what the pipeline gives every connector besides its options.
type Env struct {
	Logger   *slog.Logger   // warnings about the input; never nil after Open
	Location *time.Location // zone of naive local times in the source; UTC when nil
	BaseDir  string         // relative paths in options are taken from here
	Job      string         // the job's name, for per-job defaults (an hl7 listener's spool folder); may be empty
	Progress *Progress      // input bytes read and to read, where known; may be nil
	// Digests are the input files' digests known from earlier runs (see
	// DigestCache); file connectors use and fill it. May be nil.
	Digests *DigestCache
}

// DigestCache returns e.Digests, or a new cache for this connector alone.
func (e Env) DigestCache() *DigestCache {
	if e.Digests != nil {
		return e.Digests
	}
	return NewDigestCache()
}

// LoadZone loads a connector's timezone option: nil for "" (the job's
// zone applies), an error naming the option for an unknown zone.
func LoadZone(name string) (*time.Location, error) {
	if name == "" {
		return nil, nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("timezone: %q is not an IANA time zone (such as Europe/Paris or America/New_York): %w", name, err)
	}
	return loc, nil
}

// Zone returns own (a connector's timezone option) when set, else the
// configured zone, else UTC.
func (e Env) Zone(own *time.Location) *time.Location {
	if own != nil {
		return own
	}
	return e.Loc()
}

// Loc returns the configured zone, or UTC.
func (e Env) Loc() *time.Location {
	if e.Location == nil {
		return time.UTC
	}
	return e.Location
}

// OversizeHead is how much of an oversized input a reject keeps in Raw
// (64 KiB): a message, record or value over its connector's limit is
// rejected with its first OversizeHead bytes, never whole, so that a
// rejects file stays small and reading stays in bounded memory.
const OversizeHead = 64 << 10
