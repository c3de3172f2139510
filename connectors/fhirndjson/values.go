package fhirndjson

import (
	"fmt"
	"strings"

	"github.com/healthanchor/healthanchor/connectors"
	"github.com/healthanchor/healthanchor/internal/fhirout"
	"github.com/healthanchor/healthanchor/schemas"
)

// pathError is a mapping failure at a JSON path of the resource.
type pathError struct {
	path string // "Patient.gender"
	msg  string
}

func (e *pathError) Error() string { return e.path + ": " + e.msg }

func errAt(path, format string, args ...any) error {
	return &pathError{path: path, msg: fmt.Sprintf(format, args...)}
}

// rowBuilder fills one row, converting text to the columns' kinds.
type rowBuilder struct {
	s    *schemas.Schema
	row  schemas.Row
	conv *connectors.Converter
}

// set fills column col from the text at JSON path; empty text is null.
func (b *rowBuilder) set(col, path, text string) error {
	if text == "" {
		return nil
	}
	i := b.s.Index(col)
	f := b.s.Fields[i]
	if f.Kind == schemas.Date {
		// FHIR dates and dateTimes: the date part, when there is a whole one.
		if len(text) < 10 {
			return errAt(path, "%q is a partial date (year or year-month): %s needs a whole date", text, col)
		}
		text = text[:10]
	}
	if f.Kind == schemas.Timestamp && len(text) < 10 {
		return errAt(path, "%q is a partial date (year or year-month): %s needs at least a whole date", text, col)
	}
	v, err := b.conv.Value(b.s, f, text)
	if err != nil {
		return errAt(path, "%v", err)
	}
	b.row[i] = v
	return nil
}

// firstErr runs the setters in order and returns the first failure.
func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// codingSystem names a code system as v2 does (HL7 table 0396) for the
// common ones, else keeps the FHIR system URI; fetch --format fhir maps
// back through the same table.
func codingSystem(uri string) string { return fhirout.SystemName(uri) }

// pickCoding returns the coding of preferred system if there is one, else the first.
func pickCoding(cc *codeableConcept, preferred string) (coding, bool) {
	if cc == nil || len(cc.Coding) == 0 {
		return coding{}, false
	}
	for _, c := range cc.Coding {
		if c.System == preferred && c.Code != "" {
			return c, true
		}
	}
	return cc.Coding[0], true
}

func refText(r *reference) string {
	if r == nil {
		return ""
	}
	if r.Display != "" {
		return r.Display
	}
	return r.Reference
}

// logicalID returns the Patient id a reference points at: "Patient/ID",
// an absolute URL ending in Patient/ID, or "urn:uuid:ID" (as bundles
// write it); ok is false for a reference to another resource type.
func logicalID(ref string) (string, bool) {
	if id, ok := strings.CutPrefix(ref, "urn:uuid:"); ok {
		return id, id != ""
	}
	i := strings.LastIndex(ref, "Patient/")
	if i < 0 || i > 0 && ref[i-1] != '/' {
		return "", false
	}
	id := ref[i+len("Patient/"):]
	if j := strings.Index(id, "/"); j >= 0 { // Patient/ID/_history/2
		id = id[:j]
	}
	return id, id != ""
}
