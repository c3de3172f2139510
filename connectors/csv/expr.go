package csv

import (
	"fmt"
	"strings"

	"github.com/healthanchor/healthanchor/connectors"
	"github.com/healthanchor/healthanchor/schemas"
)

// compileExprs parses the mapping values that are expressions rather than
// plain header names (see connectors.ParseMapping); plain names are left
// to the header lookup as before.
func compileExprs(s *schemas.Schema, mapping map[string]string, tables connectors.CodeTables, header bool) (map[string]*connectors.Expr, error) {
	m, err := connectors.CompileMapping(s, mapping, tables)
	if err != nil {
		return nil, fmt.Errorf("csv: %w", err)
	}
	exprs := map[string]*connectors.Expr{}
	for col := range mapping {
		e := m.Expr(s.Index(col))
		if _, plain := e.Column(); plain {
			continue
		}
		if !header {
			return nil, fmt.Errorf("csv: mapping: %s: expressions read columns by header name: they need header: true", col)
		}
		exprs[col] = e
	}
	return exprs, nil
}

// exprColumn finds the headers an expression reads.
func exprColumn(idx int, f schemas.Field, e *connectors.Expr, byName map[string]int, dup map[string]bool, used []bool, header []string) (column, error) {
	c := column{idx: idx, pos: -1, field: f, expr: e, srcs: map[string]int{}}
	for _, name := range e.Columns() {
		k := strings.ToLower(strings.TrimSpace(name))
		pos, ok := byName[k]
		switch {
		case ok && dup[k]:
			return c, fmt.Errorf("header %q appears more than once: cannot tell which %s reads", name, f.Name)
		case !ok:
			return c, fmt.Errorf("mapping: header %q (read by %s) not found in the header (%s)", name, f.Name, strings.Join(header, ", "))
		}
		used[pos] = true
		c.srcs[k] = pos
	}
	return c, nil
}

// evalExpr computes an expression column of a record and converts it.
func (fr *fileReader) evalExpr(col column, rec record, text bool) (schemas.Value, error) {
	var decodeErr error
	get := func(name string) (string, bool) {
		pos, ok := col.srcs[strings.ToLower(strings.TrimSpace(name))]
		if !ok {
			return "", false
		}
		s := rec.fields[pos]
		if !text {
			var err error
			if s, err = fr.c.enc.decode(s); err != nil && decodeErr == nil {
				decodeErr = err
			}
		}
		return s, true
	}
	s, err := col.expr.Eval(get, fr.c.cfg.codes)
	if decodeErr != nil {
		return schemas.Null, decodeErr
	}
	if err != nil {
		return schemas.Null, err
	}
	if col.sex {
		return connectors.NormSex(s)
	}
	return fr.c.conv.value(col.field, s)
}
