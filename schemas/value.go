package schemas

import (
	"time"
)

// Value is one typed cell of a canonical row. Set is false for null. Text
// and Binary values live in Str; Int, Bool (0/1), Date (days since
// 1970-01-01), Timestamp (microseconds since the Unix epoch, UTC) and
// Decimal (the unscaled integer) live in Num.
type Value struct {
	Set bool
	Str string
	Num int64
}

// Row is one canonical record, its values in the schema's column order.
type Row []Value

// Null is the absent value.
var Null = Value{}

// TextValue is a text (or binary) value.
func TextValue(s string) Value { return Value{Set: true, Str: s} }

// OptText is TextValue, or Null for the empty string.
func OptText(s string) Value {
	if s == "" {
		return Null
	}
	return TextValue(s)
}

// IntValue is an integer value.
func IntValue(n int64) Value { return Value{Set: true, Num: n} }

// BoolValue is a boolean value.
func BoolValue(b bool) Value {
	if b {
		return Value{Set: true, Num: 1}
	}
	return Value{Set: true}
}

// DateValue is the calendar date of t, taken in t's own location.
func DateValue(t time.Time) Value {
	y, m, d := t.Date()
	u := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	return Value{Set: true, Num: floorDiv(u.Unix(), 86400)}
}

// TimestampValue is the instant t, kept to the microsecond.
func TimestampValue(t time.Time) Value {
	return Value{Set: true, Num: t.UnixMicro()}
}

// DecimalValue is a decimal given by its unscaled integer.
func DecimalValue(unscaled int64) Value { return Value{Set: true, Num: unscaled} }

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}
