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
	// _schema and _salt.
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

	// Read streams, in a deterministic order, every record that follows
	// the watermark from, then returns the watermark to resume from next
	// time. Reading twice from the same watermark over unchanged input
	// streams the same records and returns the same watermark. Bad input
	// is streamed as rejects, never returned as an error; an error means
	// the source as a whole could not be read (or ctx was cancelled, or
	// emit failed), and then the returned watermark must be ignored. Read
	// returns promptly with ctx.Err() once ctx is done.
	Read(ctx context.Context, from Watermark, emit EmitFunc) (Watermark, error)
}

// Env is what the pipeline gives every connector besides its options.
type Env struct {
	Logger   *slog.Logger   // warnings about the input; never nil after Open
	Location *time.Location // zone of naive local times in the source; UTC when nil
	BaseDir  string         // relative paths in options are taken from here
}

// Loc returns the configured zone, or UTC.
func (e Env) Loc() *time.Location {
	if e.Location == nil {
		return time.UTC
	}
	return e.Location
}
