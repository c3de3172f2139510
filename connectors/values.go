package connectors

import (
	"fmt"
	"strings"
	"time"

	"github.com/healthanchor/healthanchor/schemas"
)

// DefaultDateLayouts are tried, in order, when a connector's config names none.
var DefaultDateLayouts = []string{"2006-01-02", "20060102", "02/01/2006", "2006/01/02"}

// DefaultTimeLayouts are tried, in order, for timestamps when none are configured.
var DefaultTimeLayouts = []string{
	time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02 15:04",
	"20060102150405", "2006-01-02",
}

// ParseDate parses s with the first layout that accepts it.
func ParseDate(s string, layouts []string) (schemas.Value, error) {
	s = strings.TrimSpace(s)
	for _, l := range layouts {
		if t, err := time.Parse(l, s); err == nil {
			return schemas.DateValue(t), nil
		}
	}
	return schemas.Null, fmt.Errorf("%q is not a date (expected %s)", s, strings.Join(layouts, " or "))
}

// ParseTimestamp parses s with the first layout that accepts it; times
// without a zone are taken in loc.
func ParseTimestamp(s string, layouts []string, loc *time.Location) (schemas.Value, error) {
	s = strings.TrimSpace(s)
	for _, l := range layouts {
		if t, err := time.ParseInLocation(l, s, loc); err == nil {
			return schemas.TimestampValue(t), nil
		}
	}
	return schemas.Null, fmt.Errorf("%q is not a timestamp (expected %s)", s, strings.Join(layouts, " or "))
}

// NewRow returns a row of schema s with source and source_ref filled.
func NewRow(s *schemas.Schema, source, ref string) schemas.Row {
	return ResetRow(s.NewRow(), s, source, ref)
}

// ResetRow clears r (a row of schema s) for reuse and fills source and
// source_ref, so that a connector can emit every record in one row.
func ResetRow(r schemas.Row, s *schemas.Schema, source, ref string) schemas.Row {
	clear(r)
	r[schemas.IdxSchema] = schemas.TextValue(s.ID())
	r[schemas.IdxSource] = schemas.TextValue(source)
	r[schemas.IdxSourceRef] = schemas.TextValue(ref)
	return r
}

// SchemasByID parses a schema id from a connector's option.
func SchemasByID(id string) (*schemas.Schema, error) { return schemas.Lookup(id) }
