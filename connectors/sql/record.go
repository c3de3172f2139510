package sql

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"unicode/utf8"

	"github.com/healthanchor/healthanchor/connectors"
)

// record turns one source row into a canonical row, or into a reject
// naming the row (table and key) and the column that did not convert.
func (c *Connector) record(s *session, cells []any) connectors.Record {
	schema := c.cfg.schema
	ref := c.cfg.RefName + " " + s.src.cols[1] + "=" + keyText(cells[1])
	row := connectors.NewRow(schema, c.cfg.Source, ref)
	loc := c.env.Loc()
	for i, j := range s.src.fields {
		if j < 0 {
			continue
		}
		f := schema.Fields[i]
		v, err := convert(cells[j], s.kinds[j], f, loc)
		if err == nil && f.Required && !v.Set {
			err = fmt.Errorf("is NULL, but %s is required", f.Name)
		}
		if err != nil {
			return connectors.Record{SourceRef: ref, Reject: &connectors.Reject{
				Target: schema.ID(),
				Reason: fmt.Sprintf("%s %s: %v", ref, s.src.cols[j], err),
				Raw:    rawJSON(s.src.cols, cells),
			}}
		}
		row[i] = v
	}
	return connectors.Record{SourceRef: ref, Schema: schema, Row: row}
}

// rawJSON is a rejected row as read: a JSON object of its columns, each
// as text (bytes that are not UTF-8 as hex) or null.
func rawJSON(cols []string, cells []any) []byte {
	m := make(map[string]any, len(cols))
	for i, c := range cols {
		switch x := cells[i].(type) {
		case nil:
			m[c] = nil
		case []byte:
			if utf8.Valid(x) {
				m[c] = string(x)
			} else {
				m[c] = "0x" + hex.EncodeToString(x)
			}
		case string:
			if utf8.ValidString(x) {
				m[c] = x
			} else {
				m[c] = "0x" + hex.EncodeToString([]byte(x))
			}
		default:
			m[c] = fmt.Sprint(x)
		}
	}
	b, _ := json.Marshal(m)
	return b
}
