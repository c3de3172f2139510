package connectors

import (
	"fmt"
	"sort"

	"github.com/healthanchor/healthanchor/schemas"
)

// Mapping is a job's mapping option compiled against its schema: for each
// canonical column, the expression that fills it. Columns not mapped are
// read from the source column of their own name.
type Mapping struct {
	schema *schemas.Schema
	exprs  []*Expr // by schema column index; nil for unmapped columns
	tables CodeTables
}

// CompileMapping parses every value of mapping (canonical column →
// expression) for schema s and checks that each code table it names is in
// tables. Errors name the option at fault ("mapping.sex: ...").
func CompileMapping(s *schemas.Schema, mapping map[string]string, tables CodeTables) (*Mapping, error) {
	return CompileMappingAt("mapping", s, mapping, tables)
}

// CompileMappingAt is CompileMapping for a mapping found at another
// option than "mapping" (fhir-ndjson's mapping.Patient), which its errors
// name.
func CompileMappingAt(option string, s *schemas.Schema, mapping map[string]string, tables CodeTables) (*Mapping, error) {
	m := &Mapping{schema: s, exprs: make([]*Expr, len(s.Fields)), tables: tables}
	keys := make([]string, 0, len(mapping))
	for k := range mapping {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, col := range keys {
		i := s.Index(col)
		if i < schemas.NumCommon {
			return nil, fmt.Errorf("%s: %q is not a column of %s that a source can fill", option, col, s.ID())
		}
		e, err := ParseMapping(mapping[col])
		if err != nil {
			return nil, fmt.Errorf("%s.%s: %w", option, col, err)
		}
		for _, t := range e.Tables() {
			if _, ok := tables[t]; !ok {
				return nil, fmt.Errorf("%s.%s: code table %q is not in codes", option, col, t)
			}
		}
		m.exprs[i] = e
	}
	return m, nil
}

// Expr returns the expression of the schema column at index i, or nil
// when the column is not mapped.
func (m *Mapping) Expr(i int) *Expr { return m.exprs[i] }

// Text computes the source text of the schema column at index i: its
// expression, or else the source column of the same name.
func (m *Mapping) Text(i int, get ColumnFunc) (string, error) {
	if e := m.exprs[i]; e != nil {
		return e.Eval(get, m.tables)
	}
	v, _ := get(m.schema.Fields[i].Name)
	return v, nil
}

// Label names column i in a reject reason: "sex", or
// `sex (code(SEXE, sex))` when an expression fills it.
func (m *Mapping) Label(i int) string {
	name := m.schema.Fields[i].Name
	if e := m.exprs[i]; e != nil {
		if c, ok := e.Column(); ok && c == name {
			return name
		}
		return fmt.Sprintf("%s (%s)", name, e)
	}
	return name
}
