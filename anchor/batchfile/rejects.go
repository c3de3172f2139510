package batchfile

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
)

// Reject is one row of a rejects file (schema reject/1), its values in
// their canonical text. Raw is the input as read: it may be patient data.
type Reject struct {
	Row          int64 // 0-based row of the rejects file
	Source       string
	SourceRef    string
	TargetSchema string
	Reason       string
	Raw          []byte
	Erased       bool // the row was erased: its values are gone
}

// ReadRejects reads the rejects file at path (through Read, so the file is
// decoded and hashed as a verifier would) and calls fn for each row, in
// order. An erased row comes with only its Row and Erased set.
func ReadRejects(ctx context.Context, path string, fn func(Reject) error) error {
	if _, err := Read(ctx, path, rejectRows(fn)); err != nil {
		return fmt.Errorf("batchfile: rejects %s: %w", path, err)
	}
	return nil
}

// ReadRejectsFrom is ReadRejects for a rejects file already open as src
// (an object read by ranges), named name in errors.
func ReadRejectsFrom(ctx context.Context, name string, src Source, fn func(Reject) error) error {
	if _, err := ReadFrom(ctx, name, src, rejectRows(fn)); err != nil {
		return fmt.Errorf("batchfile: rejects %s: %w", name, err)
	}
	return nil
}

// rejectRows turns each row of a rejects file into a Reject for fn.
func rejectRows(fn func(Reject) error) RowFunc {
	return func(row int64, canonical []byte, _ [32]byte) error {
		if canonical == nil {
			return fn(Reject{Row: row, Erased: true})
		}
		var rec map[string]*string
		if err := json.Unmarshal(canonical, &rec); err != nil {
			return fmt.Errorf("row %d: %w", row, err)
		}
		get := func(k string) string {
			if v := rec[k]; v != nil {
				return *v
			}
			return ""
		}
		r := Reject{Row: row, Source: get("source"), SourceRef: get("source_ref"),
			TargetSchema: get("target_schema"), Reason: get("reason")}
		if raw := get("raw"); raw != "" {
			b, err := hex.DecodeString(raw)
			if err != nil {
				return fmt.Errorf("row %d: raw: %w", row, err)
			}
			r.Raw = b
		}
		return fn(r)
	}
}
