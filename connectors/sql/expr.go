package sql

import (
	"fmt"
	"strings"

	"github.com/healthanchor/healthanchor/schemas"
)

// textField is the field a cell is converted to when a mapping expression
// reads it: every value an expression sees is text.
var textField = schemas.Field{Name: "expression input", Kind: schemas.Text}

// eval computes the mapping expression of schema field i for one source
// row and converts its result to the field's kind. Each column it reads is
// the text the column would give a text field (numbers as written, dates
// as 2006-01-02, timestamps in ISO 8601, binary as hex), NULL being no
// value; the result is read as text from the source, in the job's zone.
func (r *recorder) eval(i int, f *schemas.Field, cells []cell) (schemas.Value, error) {
	idx := r.s.exprs[i]
	var cellErr error
	get := func(name string) (string, bool) {
		j, ok := idx[strings.ToLower(name)]
		if !ok {
			return "", false
		}
		v, err := convert(&cells[j], r.s.kinds[j], &textField, r.loc)
		if err != nil && cellErr == nil {
			cellErr = fmt.Errorf("%s: %w", r.s.src.cols[j], err)
		}
		return v.Str, true
	}
	text, err := r.c.cfg.mapping.Text(i, get)
	switch {
	case cellErr != nil:
		return schemas.Null, cellErr
	case err != nil:
		return schemas.Null, err
	case text == "":
		return schemas.Null, nil
	}
	return convert(&cell{typ: cellText, s: text}, kindPlain, f, r.loc)
}
