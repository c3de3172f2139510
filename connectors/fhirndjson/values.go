package fhirndjson

import (
	"bytes"
	"encoding/json"
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

// rowBuilder fills one row, converting text to the columns' kinds. The
// columns of the mapping option are left to apply; the fixed rules skip them.
type rowBuilder struct {
	s    *schemas.Schema
	row  schemas.Row
	conv *connectors.Converter
	m    *connectors.Mapping // the resource type's mapping option; nil when none
}

// mapped tells whether the mapping option fills column col, in place of
// its fixed rule.
func (b *rowBuilder) mapped(col string) bool {
	return b.m != nil && b.m.Expr(b.s.Index(col)) != nil
}

// set fills column col by its fixed rule from the text at JSON path;
// empty text is null.
func (b *rowBuilder) set(col, path, text string) error {
	if b.mapped(col) {
		return nil
	}
	return b.put(b.s.Index(col), path, text)
}

// put fills column i from text; at names the text's origin in errors.
func (b *rowBuilder) put(i int, at, text string) error {
	if text == "" {
		return nil
	}
	f := b.s.Fields[i]
	if f.Kind == schemas.Date {
		// FHIR dates and dateTimes: the date part, when there is a whole one.
		if len(text) < 10 {
			return errAt(at, "%q is a partial date (year or year-month): %s needs a whole date", text, f.Name)
		}
		text = text[:10]
	}
	if f.Kind == schemas.Timestamp && len(text) < 10 {
		return errAt(at, "%q is a partial date (year or year-month): %s needs at least a whole date", text, f.Name)
	}
	v, err := b.conv.Value(b.s, f, text)
	if err != nil {
		return errAt(at, "%v", err)
	}
	b.row[i] = v
	return nil
}

// apply fills the columns of the mapping option from the resource's raw
// JSON, reading each path the expressions name.
func (b *rowBuilder) apply(line []byte, paths map[string]path) error {
	if b.m == nil {
		return nil
	}
	var doc any
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		return fmt.Errorf("not a FHIR resource in JSON: %v", err)
	}
	get := func(name string) (string, bool) { return paths[name].text(doc) }
	for i := schemas.NumCommon; i < len(b.s.Fields); i++ {
		if b.m.Expr(i) == nil {
			continue
		}
		label := b.m.Label(i)
		text, err := b.m.Text(i, get)
		if err != nil {
			return errAt(label, "%v", err)
		}
		if err := b.put(i, label, text); err != nil {
			return err
		}
		if b.s.Fields[i].Required && !b.row[i].Set {
			return errAt(label, "required, but the resource gives no value")
		}
	}
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
