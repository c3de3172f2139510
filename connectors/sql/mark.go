package sql

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/healthanchor/healthanchor/connectors"
)

// The types a position's value or key may have.
const (
	typeInt  = "int"  // an integer column
	typeTime = "time" // a date or timestamp column
	typeText = "text" // anything compared as the database compares text
)

// position is one row's place in watermark order: its watermark value
// and its key, each kept as text with its type, so that it can be handed
// back to the database as a query argument that compares as the column
// does.
type position struct {
	Value   string `json:"value"`
	Type    string `json:"type"`
	Key     string `json:"key"`
	KeyType string `json:"key_type"`
}

// mark is the connector's watermark: the last position of a window and,
// with a look-back, the content hash of each row (by key) inside the
// look-back horizon behind that position, as of the window.
type mark struct {
	position
	Seen map[string]string `json:"seen,omitempty"`
}

// decodeMark parses a watermark; nil gives nil (the start of the table).
func decodeMark(w connectors.Watermark) (*mark, error) {
	if len(w) == 0 {
		return nil, nil
	}
	var m mark
	if err := json.Unmarshal(w, &m); err != nil {
		return nil, fmt.Errorf("sql: watermark %s: %w", w, err)
	}
	for _, t := range []string{m.Type, m.KeyType} {
		if t != typeInt && t != typeTime && t != typeText {
			return nil, fmt.Errorf("sql: watermark %s: unknown type %q", w, t)
		}
	}
	return &m, nil
}

// encode returns the watermark's JSON; map keys are sorted, so equal
// marks encode equally.
func (m *mark) encode() connectors.Watermark {
	b, err := json.Marshal(m)
	if err != nil {
		panic(err) // strings and maps of strings always marshal
	}
	return b
}

// sameSeen reports whether two seen sets are equal.
func sameSeen(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// positionValue returns the text form and type of a watermark or key
// cell as the driver handed it over.
func positionValue(c cell, k colKind) (string, string, error) {
	switch c.typ {
	case cellInt:
		return strconv.FormatInt(c.n, 10), typeInt, nil
	case cellTime:
		return c.t.UTC().Format(time.RFC3339Nano), typeTime, nil
	case cellBytes:
		return string(c.b), posType(k), nil
	case cellText:
		return c.s, posType(k), nil
	case cellNull:
		return "", "", fmt.Errorf("is NULL")
	}
	return "", "", fmt.Errorf("has type %T, which cannot order a window (use an integer, a timestamp or text)", c.value())
}

func posType(k colKind) string {
	switch k {
	case kindDate, kindNaive, kindInstant:
		return typeTime
	}
	return typeText
}

// arg returns a position value as a query argument of the given type.
func (d dialect) arg(value, typ string) (any, error) {
	switch typ {
	case typeInt:
		n, err := strconv.ParseInt(value, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("sql: watermark value %q is not an integer", value)
		}
		return n, nil
	case typeTime:
		if d.driver == Postgres {
			t, err := time.Parse(time.RFC3339Nano, value)
			if err != nil {
				return nil, fmt.Errorf("sql: watermark value %q is not a time", value)
			}
			return t, nil
		}
	}
	return value, nil
}

// sourceTimeLayouts read the text of a date or timestamp watermark as
// MySQL and SQLite hand it over.
var sourceTimeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02 15:04",
	"2006-01-02",
}

// parseTimeValue reads a time position value, returning the layout it
// had so that a derived value can be written back in the same form (a
// SQLite text column compares as text).
func parseTimeValue(s string) (time.Time, string, error) {
	for _, l := range sourceTimeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, l, nil
		}
	}
	return time.Time{}, "", fmt.Errorf("sql: watermark value %q is not a time", s)
}

// minus returns the time value s moved back by d, in the same layout.
func minus(s string, d time.Duration) (string, error) {
	t, layout, err := parseTimeValue(s)
	if err != nil {
		return "", err
	}
	return t.Add(-d).Format(layout), nil
}
