// Package schemas owns the canonical record schemas (patient, encounter,
// observation, order, immunization, condition, allergy, reject), their Arrow form, versions and fingerprints, the
// typed values connectors produce, and the canonical record encoding and
// leaf hash that every anchored row is committed by (docs/format.md).
package schemas

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
)

// Kind is the canonical type of a column. Canonical schemas use no floating
// point: every kind has exactly one text form in the canonical encoding.
type Kind uint8

// The canonical kinds and their Arrow types.
const (
	Text      Kind = iota // UTF-8 string (arrow.String)
	Int                   // signed 64-bit integer (arrow.Int64)
	Bool                  // boolean (arrow.Boolean)
	Date                  // calendar date (arrow.Date32)
	Timestamp             // instant in UTC, microseconds (arrow.Timestamp us, "UTC")
	Decimal               // fixed-point decimal with Field.Scale digits (arrow.Decimal128(18, scale))
	Binary                // bytes (arrow.Binary)
)

var kindNames = [...]string{"text", "int", "bool", "date", "timestamp", "decimal", "binary"}

// String returns the kind's name as used in fingerprints and docs.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", k)
}

// Field is one column of a canonical schema.
type Field struct {
	Name     string
	Kind     Kind
	Scale    int32 // digits after the point, Decimal only
	Required bool  // a row without a value here is rejected
	Doc      string
}

// Column names every canonical schema starts with.
const (
	ColSchema    = "_schema"
	ColSalt      = "_salt"
	ColSource    = "source"
	ColSourceRef = "source_ref"
)

// Indexes of the common columns in every schema's field list.
const (
	IdxSchema = iota
	IdxSalt
	IdxSource
	IdxSourceRef
	NumCommon
)

// Schema is a versioned canonical schema. Build one with New; it is
// immutable afterwards and safe for concurrent use.
type Schema struct {
	Name    string
	Version int
	Fields  []Field

	id          string
	arrow       *arrow.Schema
	fingerprint string
	index       map[string]int
}

// New builds a schema named name at version, with the common columns
// (_schema, _salt, source, source_ref) followed by fields.
func New(name string, version int, fields ...Field) *Schema {
	all := append([]Field{
		{Name: ColSchema, Kind: Text, Required: true, Doc: "schema id, e.g. patient/1"},
		{Name: ColSalt, Kind: Binary, Required: true, Doc: "16-byte per-row salt (docs/format.md)"},
		{Name: ColSource, Kind: Text, Required: true, Doc: "the source system the row came from"},
		{Name: ColSourceRef, Kind: Text, Required: true, Doc: "the row's position in its source"},
	}, fields...)
	s := &Schema{Name: name, Version: version, Fields: all, index: make(map[string]int, len(all))}
	s.id = fmt.Sprintf("%s/%d", name, version)
	afields := make([]arrow.Field, len(all))
	var desc strings.Builder
	fmt.Fprintf(&desc, "%s\n", s.id)
	for i, f := range all {
		if _, dup := s.index[f.Name]; dup {
			panic("schemas: duplicate column " + f.Name + " in " + s.id)
		}
		s.index[f.Name] = i
		afields[i] = arrow.Field{Name: f.Name, Type: f.arrowType(), Nullable: !f.Required}
		fmt.Fprintf(&desc, "%s %s %d %t\n", f.Name, f.Kind, f.Scale, f.Required)
	}
	sum := sha256.Sum256([]byte(desc.String()))
	s.fingerprint = hex.EncodeToString(sum[:])
	s.arrow = arrow.NewSchema(afields, nil)
	return s
}

func (f Field) arrowType() arrow.DataType {
	switch f.Kind {
	case Text:
		return arrow.BinaryTypes.String
	case Int:
		return arrow.PrimitiveTypes.Int64
	case Bool:
		return arrow.FixedWidthTypes.Boolean
	case Date:
		return arrow.FixedWidthTypes.Date32
	case Timestamp:
		return &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}
	case Decimal:
		return &arrow.Decimal128Type{Precision: 18, Scale: f.Scale}
	case Binary:
		return arrow.BinaryTypes.Binary
	}
	panic(fmt.Sprintf("schemas: field %s: unknown kind %d", f.Name, f.Kind))
}

// ID is the schema's identifier as written in the _schema column, e.g. "patient/1".
func (s *Schema) ID() string { return s.id }

// Arrow is the schema's Arrow form, the column layout of its batch files.
func (s *Schema) Arrow() *arrow.Schema { return s.arrow }

// Fingerprint is the hex SHA-256 of the schema's description (id, then one
// line per column: name, kind, scale, required); it changes whenever a
// column does.
func (s *Schema) Fingerprint() string { return s.fingerprint }

// Index returns the position of the named column, or -1.
func (s *Schema) Index(name string) int {
	if i, ok := s.index[name]; ok {
		return i
	}
	return -1
}

// NewRow returns an empty row for this schema with _schema set.
func (s *Schema) NewRow() Row {
	r := make(Row, len(s.Fields))
	r[IdxSchema] = TextValue(s.id)
	return r
}

// Check reports the first required column without a value, naming it.
func (s *Schema) Check(r Row) error {
	if len(r) != len(s.Fields) {
		return fmt.Errorf("schemas: %s: row has %d values, want %d", s.id, len(r), len(s.Fields))
	}
	for i := NumCommon; i < len(s.Fields); i++ {
		if s.Fields[i].Required && !r[i].Set {
			return fmt.Errorf("%s is required", s.Fields[i].Name)
		}
	}
	return nil
}
