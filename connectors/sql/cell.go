package sql

import (
	"time"
)

// cellType says which field of a cell holds its value.
type cellType uint8

const (
	cellNull  cellType = iota // SQL NULL
	cellInt                   // int64, in n
	cellFloat                 // float64, in f
	cellBool                  // bool, in n (0 or 1)
	cellText                  // string, in s
	cellBytes                 // []byte, in b
	cellTime                  // time.Time, in t
	cellOther                 // any other Go value, in v
)

// cell is one value of a source row: the Go value database/sql's Scan
// into an any gives for it, held without an interface for the types the
// drivers hand over most, so that reading a row does not box each value.
// The value is the same whichever way it was read, so conversion, reject
// messages, keys and content hashes do not depend on it.
type cell struct {
	typ cellType
	n   int64
	f   float64
	s   string
	b   []byte
	t   time.Time
	v   any
}

// cellOf holds v, a value as database/sql scans it into an any.
func cellOf(v any) cell {
	switch x := v.(type) {
	case nil:
		return cell{}
	case int64:
		return cell{typ: cellInt, n: x}
	case float64:
		return cell{typ: cellFloat, f: x}
	case bool:
		return boolCell(x)
	case string:
		return cell{typ: cellText, s: x}
	case []byte:
		return cell{typ: cellBytes, b: x}
	case time.Time:
		return cell{typ: cellTime, t: x}
	}
	return cell{typ: cellOther, v: v}
}

func boolCell(b bool) cell {
	c := cell{typ: cellBool}
	if b {
		c.n = 1
	}
	return c
}

// value returns the cell's value as an any, as cellOf was given it. It
// boxes the value: for messages and rare types, not for every row.
func (c cell) value() any {
	switch c.typ {
	case cellInt:
		return c.n
	case cellFloat:
		return c.f
	case cellBool:
		return c.n != 0
	case cellText:
		return c.s
	case cellBytes:
		return c.b
	case cellTime:
		return c.t
	case cellOther:
		return c.v
	}
	return nil
}
