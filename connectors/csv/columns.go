package csv

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/healthanchor/healthanchor/connectors"
	"github.com/healthanchor/healthanchor/schemas"
)

// column says where one canonical column comes from in a file.
type column struct {
	idx    int    // position in the schema's row
	pos    int    // position in the CSV record
	header string // CSV header, for messages; empty when the same as the column
	field  schemas.Field
	sex    bool             // normalise as administrative sex
	expr   *connectors.Expr // a mapping expression fills the column (pos is then -1)
	srcs   map[string]int   // the positions of the columns expr reads, by lower-case header
}

// label names the column in a reject reason: "birth_date", or
// `birth_date (column "DOB")` when the CSV header differs.
func (c column) label() string {
	if c.expr != nil {
		return fmt.Sprintf("%s (%s)", c.field.Name, c.expr)
	}
	if c.header == "" {
		return c.field.Name
	}
	return fmt.Sprintf("%s (column %q)", c.field.Name, c.header)
}

// layout is how a file's records map to canonical columns.
type layout struct {
	cols   []column
	fields int      // fields every record must have
	unused []string // headers no column reads
}

// headerLayout maps the header record's names to schema columns: mapped
// columns must be present (else the error names the missing header);
// other columns are read when a header has their name.
func headerLayout(s *schemas.Schema, mapping map[string]string, exprs map[string]*connectors.Expr, header []string) (layout, error) {
	byName := map[string]int{}
	dup := map[string]bool{}
	for i, h := range header {
		k := strings.ToLower(strings.TrimSpace(h))
		if _, seen := byName[k]; seen {
			dup[k] = true
			continue
		}
		byName[k] = i
	}
	l := layout{fields: len(header)}
	used := make([]bool, len(header))
	for i := schemas.NumCommon; i < len(s.Fields); i++ {
		f := s.Fields[i]
		if e := exprs[f.Name]; e != nil {
			c, err := exprColumn(i, f, e, byName, dup, used, header)
			if err != nil {
				return l, err
			}
			l.cols = append(l.cols, c)
			continue
		}
		want, mapped := mapping[f.Name]
		if !mapped {
			want = f.Name
		}
		k := strings.ToLower(strings.TrimSpace(want))
		pos, ok := byName[k]
		switch {
		case ok && dup[k]:
			return l, fmt.Errorf("header %q appears more than once: cannot tell which holds %s", want, f.Name)
		case !ok && mapped:
			return l, fmt.Errorf("mapping: header %q (for %s) not found in the header (%s)", want, f.Name, strings.Join(header, ", "))
		case !ok && f.Required:
			return l, fmt.Errorf("no header %q for the required column %s: add it or set mapping.%s", f.Name, f.Name, f.Name)
		case !ok:
			continue
		}
		used[pos] = true
		c := column{idx: i, pos: pos, field: f, sex: s == schemas.Patient && f.Name == "sex"}
		if strings.TrimSpace(header[pos]) != f.Name {
			c.header = header[pos]
		}
		l.cols = append(l.cols, c)
	}
	for i, u := range used {
		if !u {
			l.unused = append(l.unused, header[i])
		}
	}
	return l, nil
}

// positionalLayout maps columns of a file without a header: by the
// mapping's column numbers when there is a mapping, else the schema's
// columns in order.
func positionalLayout(s *schemas.Schema, mapping map[string]string) layout {
	var l layout
	if len(mapping) == 0 {
		for i := schemas.NumCommon; i < len(s.Fields); i++ {
			f := s.Fields[i]
			l.cols = append(l.cols, column{idx: i, pos: i - schemas.NumCommon, field: f, sex: s == schemas.Patient && f.Name == "sex"})
		}
		l.fields = len(l.cols)
		return l
	}
	for i := schemas.NumCommon; i < len(s.Fields); i++ {
		f := s.Fields[i]
		from, ok := mapping[f.Name]
		if !ok {
			continue
		}
		n, _ := strconv.Atoi(from) // checked by Validate
		l.cols = append(l.cols, column{idx: i, pos: n - 1, header: "#" + from, field: f, sex: s == schemas.Patient && f.Name == "sex"})
	}
	return l // fields is taken from the first record
}
