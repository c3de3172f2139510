package sql

import (
	"encoding/hex"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/healthanchor/healthanchor/schemas"
)

// convert turns one cell, as the driver handed it over, into a value of
// the canonical field f. k is the column's declared kind; loc is the zone
// naive timestamps are read in. The error says what is wrong with the
// value only; the caller names the row and column.
func convert(c *cell, k colKind, f *schemas.Field, loc *time.Location) (schemas.Value, error) {
	switch c.typ {
	case cellNull:
		return schemas.Null, nil
	case cellOther:
		switch x := c.v.(type) {
		case int32:
			c = &cell{typ: cellInt, n: int64(x)}
		case int16:
			c = &cell{typ: cellInt, n: int64(x)}
		case int8:
			c = &cell{typ: cellInt, n: int64(x)}
		case int:
			c = &cell{typ: cellInt, n: int64(x)}
		case float32:
			c = &cell{typ: cellFloat, f: float64(x)}
		case uint64:
			if x > math.MaxInt64 {
				return schemas.Null, fmt.Errorf("%d does not fit a 64-bit integer", x)
			}
			c = &cell{typ: cellInt, n: int64(x)}
		}
	case cellBytes:
		if k != kindBinary {
			c = &cell{typ: cellText, s: string(c.b)}
		}
	}
	switch f.Kind {
	case schemas.Text:
		return toText(c, k)
	case schemas.Int:
		return toInt(c)
	case schemas.Bool:
		return toBool(c)
	case schemas.Date:
		return toDate(c, k, loc)
	case schemas.Timestamp:
		return toTimestamp(c, k, loc)
	case schemas.Decimal:
		return toDecimal(c, f.Scale)
	case schemas.Binary:
		switch c.typ {
		case cellBytes:
			return schemas.TextValue(string(c.b)), nil
		case cellText:
			return schemas.TextValue(c.s), nil
		}
	}
	return schemas.Null, fmt.Errorf("a %s value (%T) cannot fill a %s column", describe(k), c.value(), f.Kind)
}

func describe(k colKind) string {
	return [...]string{"plain", "binary", "date", "timestamp", "timestamp with time zone", "decimal"}[k]
}

func toText(c *cell, k colKind) (schemas.Value, error) {
	switch c.typ {
	case cellText:
		x := c.s
		if !utf8.ValidString(x) {
			return schemas.Null, fmt.Errorf("%q is not valid UTF-8", x)
		}
		if k == kindNaive || k == kindInstant {
			// A timestamp handed over as text is written as the other
			// drivers' timestamps are; text that is no time stays as is.
			for _, l := range zoned {
				if t, err := time.Parse(l, strings.TrimSpace(x)); err == nil {
					return toText(&cell{typ: cellTime, t: t}, kindInstant)
				}
			}
			for _, l := range naive {
				if t, err := time.Parse(l, strings.TrimSpace(x)); err == nil {
					return toText(&cell{typ: cellTime, t: t}, k)
				}
			}
		}
		return schemas.TextValue(x), nil
	case cellBytes: // binary column: lower-case hex, as binary is in the canonical form
		return schemas.TextValue(hex.EncodeToString(c.b)), nil
	case cellInt:
		return schemas.TextValue(strconv.FormatInt(c.n, 10)), nil
	case cellFloat:
		return schemas.TextValue(strconv.FormatFloat(c.f, 'f', -1, 64)), nil
	case cellBool:
		return schemas.TextValue(strconv.FormatBool(c.n != 0)), nil
	case cellTime:
		x := c.t
		switch k {
		case kindDate:
			return schemas.TextValue(x.Format("2006-01-02")), nil
		case kindInstant:
			return schemas.TextValue(x.UTC().Format("2006-01-02T15:04:05.000000Z")), nil
		}
		return schemas.TextValue(x.Format("2006-01-02T15:04:05.000000")), nil
	}
	return schemas.Null, fmt.Errorf("a %T cannot be text", c.value())
}

func toInt(c *cell) (schemas.Value, error) {
	switch c.typ {
	case cellInt:
		return schemas.IntValue(c.n), nil
	case cellBool:
		return schemas.IntValue(c.n), nil // 0 or 1
	case cellFloat:
		x := c.f
		if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
			return schemas.IntValue(int64(x)), nil
		}
		return schemas.Null, fmt.Errorf("%v is not an integer", x)
	case cellText:
		x := c.s
		n, err := strconv.ParseInt(strings.TrimSpace(x), 10, 64)
		if err != nil {
			// An exact number with only zero decimals ("12.00") is an integer.
			if d, derr := parseDecimal(x, 0); derr == nil {
				return schemas.IntValue(d), nil
			}
			return schemas.Null, fmt.Errorf("%q is not an integer", x)
		}
		return schemas.IntValue(n), nil
	}
	return schemas.Null, fmt.Errorf("a %T is not an integer", c.value())
}

func toBool(c *cell) (schemas.Value, error) {
	switch c.typ {
	case cellBool:
		return schemas.BoolValue(c.n != 0), nil
	case cellInt:
		x := c.n
		if x == 0 || x == 1 {
			return schemas.BoolValue(x == 1), nil
		}
		return schemas.Null, fmt.Errorf("%d is not a boolean (0 or 1)", x)
	case cellText:
		x := c.s
		switch strings.ToLower(strings.TrimSpace(x)) {
		case "t", "true", "1", "y", "yes":
			return schemas.BoolValue(true), nil
		case "f", "false", "0", "n", "no":
			return schemas.BoolValue(false), nil
		}
		return schemas.Null, fmt.Errorf("%q is not a boolean", x)
	}
	return schemas.Null, fmt.Errorf("a %T is not a boolean", c.value())
}

// dateLayouts read dates handed over as text; a timestamp's date part is
// taken when the time part is present.
var dateLayouts = []string{"2006-01-02", "2006-01-02 15:04:05", "2006-01-02T15:04:05", "2006-01-02T15:04:05Z07:00"}

func toDate(c *cell, k colKind, loc *time.Location) (schemas.Value, error) {
	switch c.typ {
	case cellTime:
		x := c.t
		switch k {
		case kindInstant:
			return schemas.DateValue(x.In(loc)), nil
		}
		return schemas.DateValue(x), nil // a date or a naive wall time: its own calendar date
	case cellText:
		x := c.s
		s := strings.TrimSpace(x)
		for _, l := range dateLayouts {
			if t, err := time.Parse(l, s); err == nil {
				return schemas.DateValue(t), nil
			}
		}
		return schemas.Null, fmt.Errorf("%q is not a date", x)
	}
	return schemas.Null, fmt.Errorf("a %T is not a date", c.value())
}

// zoned and naive read timestamps handed over as text: with an offset
// first, then wall times in the job's zone.
var (
	zoned = []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999Z07:00", "2006-01-02 15:04:05.999999999Z0700"}
	naive = []string{"2006-01-02 15:04:05", "2006-01-02T15:04:05", "2006-01-02 15:04", "2006-01-02"}
)

func toTimestamp(c *cell, k colKind, loc *time.Location) (schemas.Value, error) {
	switch c.typ {
	case cellTime:
		x := c.t
		if k == kindNaive || k == kindDate {
			// The driver hands a naive value over as a UTC wall time:
			// read the same wall time in the job's zone.
			y, mo, d := x.Date()
			h, mi, s := x.Clock()
			return schemas.TimestampValue(time.Date(y, mo, d, h, mi, s, x.Nanosecond(), loc)), nil
		}
		return schemas.TimestampValue(x), nil
	case cellText:
		x := c.s
		s := strings.TrimSpace(x)
		for _, l := range zoned {
			if t, err := time.Parse(l, s); err == nil {
				return schemas.TimestampValue(t), nil
			}
		}
		in := loc
		if k == kindInstant {
			in = time.UTC // MySQL TIMESTAMP, returned in the session's UTC
		}
		for _, l := range naive {
			if t, err := time.ParseInLocation(l, s, in); err == nil {
				return schemas.TimestampValue(t), nil
			}
		}
		return schemas.Null, fmt.Errorf("%q is not a timestamp", x)
	}
	return schemas.Null, fmt.Errorf("a %T is not a timestamp", c.value())
}

func toDecimal(c *cell, scale int32) (schemas.Value, error) {
	var s string
	switch c.typ {
	case cellInt:
		x := c.n
		n := x
		for i := int32(0); i < scale; i++ {
			if n > math.MaxInt64/10 || n < math.MinInt64/10 {
				return schemas.Null, fmt.Errorf("%d is too large for a decimal of scale %d", x, scale)
			}
			n *= 10
		}
		return schemas.DecimalValue(n), nil
	case cellFloat:
		s = strconv.FormatFloat(c.f, 'f', -1, 64)
	case cellText:
		s = c.s
	default:
		return schemas.Null, fmt.Errorf("a %T is not a decimal", c.value())
	}
	n, err := parseDecimal(s, scale)
	if err != nil {
		return schemas.Null, err
	}
	return schemas.DecimalValue(n), nil
}

// parseDecimal reads s ("-12.5") as an unscaled integer of the given
// scale (-1250 for scale 2). Digits past the scale must be zeros: a value
// is never rounded silently.
func parseDecimal(s string, scale int32) (int64, error) {
	t := strings.TrimSpace(s)
	neg := strings.HasPrefix(t, "-")
	t = strings.TrimPrefix(strings.TrimPrefix(t, "-"), "+")
	whole, frac, _ := strings.Cut(t, ".")
	if whole == "" && frac == "" || strings.Trim(whole+frac, "0123456789") != "" {
		return 0, fmt.Errorf("%q is not a decimal", s)
	}
	if int32(len(frac)) > scale {
		if strings.Trim(frac[scale:], "0") != "" {
			return 0, fmt.Errorf("%q has more than %d decimal places", s, scale)
		}
		frac = frac[:scale]
	}
	for int32(len(frac)) < scale {
		frac += "0"
	}
	digits := strings.TrimLeft(whole+frac, "0")
	if digits == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(digits, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%q is too large for a decimal of scale %d", s, scale)
	}
	if neg {
		n = -n
	}
	return n, nil
}
