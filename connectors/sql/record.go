package sql

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
	"unsafe"

	"github.com/healthanchor/healthanchor/connectors"
	"github.com/healthanchor/healthanchor/schemas"
)

// slabBytes bounds the allocations a recorder carves rows out of (one
// allocation per row was a tenth of the extraction's time): just under
// 32 KiB, the largest size the Go allocator serves from its small-object
// classes, header included.
const slabBytes = 32<<10 - 64

// recorder turns source rows into canonical rows for one read. It is not
// safe for concurrent use.
type recorder struct {
	c      *Connector
	s      *session
	loc    *time.Location
	blank  schemas.Row     // an empty row with _schema and source set
	prefix string          // "patients id="
	slab   []schemas.Value // where the next rows are carved from
}

func (c *Connector) newRecorder(s *session) *recorder {
	return &recorder{
		c: c, s: s, loc: c.env.Zone(c.cfg.loc),
		blank:  connectors.NewRow(c.cfg.schema, c.cfg.Source, ""),
		prefix: c.cfg.RefName + " " + s.src.cols[1] + "=",
	}
}

// newRow returns an empty row with _schema and source set. Rows share a
// backing array with their neighbours but never overlap, so a caller may
// keep or change one freely.
func (r *recorder) newRow() schemas.Row {
	n := len(r.blank)
	if len(r.slab) < n {
		rows := max(1, slabBytes/int(unsafe.Sizeof(schemas.Value{}))/n)
		r.slab = make([]schemas.Value, n*rows)
	}
	row := r.slab[:n:n]
	r.slab = r.slab[n:]
	// The slab is zeroed (every value Null): set only the common columns,
	// which is cheaper than copying the whole blank row.
	for i := range schemas.NumCommon {
		if r.blank[i].Set {
			row[i] = r.blank[i]
		}
	}
	return row
}

// record turns one source row into a canonical row, or into a reject
// naming the row (table and key) and the column that did not convert.
func (r *recorder) record(cells []cell) connectors.Record {
	schema := r.c.cfg.schema
	var buf [64]byte
	if j, n := r.oversized(cells); j >= 0 {
		return r.oversize(cells, j, n)
	}
	ref := string(appendKey(append(buf[:0], r.prefix...), cells[1]))
	row := r.newRow()
	row[schemas.IdxSourceRef] = schemas.TextValue(ref)
	cols, kinds := r.s.src.cols, r.s.kinds
	for i, j := range r.s.src.fields {
		f := &schema.Fields[i]
		var v schemas.Value
		var err error
		var from string // the column, or the expression, that fills f
		switch {
		case j >= 0:
			from = cols[j]
			v, err = convert(&cells[j], kinds[j], f, r.loc)
			if err == nil && f.Required && !v.Set {
				err = fmt.Errorf("is NULL, but %s is required", f.Name)
			}
		case r.s.exprs[i] != nil:
			from = r.c.cfg.mapping.Label(i)
			v, err = r.eval(i, f, cells)
			if err == nil && f.Required && !v.Set {
				err = fmt.Errorf("required, but the row gives no value")
			}
		default:
			continue
		}
		if err != nil {
			return connectors.Record{SourceRef: ref, Reject: &connectors.Reject{
				Target: schema.ID(),
				Reason: fmt.Sprintf("%s %s: %v", ref, from, err),
				Raw:    rawJSON(cols, cells, 0),
			}}
		}
		row[i] = v
	}
	return connectors.Record{SourceRef: ref, Schema: schema, Row: row}
}

// oversized returns the first cell holding a value over max_value_bytes
// and its size, or -1.
func (r *recorder) oversized(cells []cell) (int, int) {
	limit := r.c.cfg.MaxValueBytes
	for j := range cells {
		if n := cellSize(&cells[j]); n > limit {
			return j, n
		}
	}
	return -1, 0
}

// cellSize is the length in bytes of a text or binary cell's value, as
// the source holds it (see oversizeMarker).
func cellSize(c *cell) int {
	switch c.typ {
	case cellText:
		if n, ok := strings.CutPrefix(c.s, oversizeMarker); ok {
			if v, err := strconv.Atoi(n); err == nil {
				return v
			}
		}
		return len(c.s)
	case cellBytes:
		return len(c.b)
	}
	return 0
}

// oversize rejects a row whose column j holds a value of n bytes, over
// max_value_bytes; the reject's raw keeps each value's first 64 KiB.
func (r *recorder) oversize(cells []cell, j, n int) connectors.Record {
	key := cells[1]
	switch {
	case key.typ == cellText && len(key.s) > 64:
		key = cell{typ: cellText, s: key.s[:64] + "..."}
	case key.typ == cellBytes && len(key.b) > 64:
		key = cell{typ: cellText, s: string(key.b[:64]) + "..."}
	}
	ref := string(appendKey([]byte(r.prefix), key))
	return connectors.Record{SourceRef: ref, Reject: &connectors.Reject{
		Target: r.c.cfg.schema.ID(),
		Reason: fmt.Sprintf("%s %s: value of more than %d bytes (max_value_bytes); raw holds the first %d bytes of each value",
			ref, r.s.src.cols[j], r.c.cfg.MaxValueBytes, connectors.OversizeHead),
		Raw: rawJSON(r.s.src.cols, cells, connectors.OversizeHead),
	}}
}

// rawJSON is a rejected row as read: a JSON object of its columns, each
// as text (bytes that are not UTF-8 as hex) or null. A value is cut to
// its first head bytes when head is not 0.
func rawJSON(cols []string, cells []cell, head int) []byte {
	m := make(map[string]any, len(cols))
	cut := func(b []byte) []byte {
		if head > 0 && len(b) > head {
			return b[:head]
		}
		return b
	}
	for i, c := range cols {
		switch cells[i].typ {
		case cellNull:
			m[c] = nil
		case cellBytes:
			x := cut(cells[i].b)
			if utf8.Valid(x) {
				m[c] = string(x)
			} else {
				m[c] = "0x" + hex.EncodeToString(x)
			}
		case cellText:
			x := cells[i].s
			if head > 0 && len(x) > head {
				x = x[:head]
			}
			if utf8.ValidString(x) {
				m[c] = x
			} else {
				m[c] = "0x" + hex.EncodeToString([]byte(x))
			}
		default:
			m[c] = fmt.Sprint(cells[i].value())
		}
	}
	b, _ := json.Marshal(m)
	return b
}
