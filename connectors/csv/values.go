package csv

import (
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/healthanchor/healthanchor/connectors"
	"github.com/healthanchor/healthanchor/schemas"
)

// converter turns decoded cell text into canonical values.
type converter struct {
	dates connectors.Layouts
	times connectors.Layouts
	loc   *time.Location
}

// value converts the text of one cell for field f. A wholly empty cell is
// null; text is kept exactly, other kinds are trimmed first.
func (c *converter) value(f schemas.Field, s string) (schemas.Value, error) {
	if s == "" {
		return schemas.Null, nil
	}
	if f.Kind == schemas.Text {
		return schemas.TextValue(s), nil
	}
	t := strings.TrimSpace(s)
	if t == "" {
		return schemas.Null, nil
	}
	switch f.Kind {
	case schemas.Date:
		return connectors.ParseDate(t, c.dates)
	case schemas.Timestamp:
		return connectors.ParseTimestamp(t, c.times, c.loc)
	case schemas.Int:
		n, err := strconv.ParseInt(t, 10, 64)
		if err != nil {
			return schemas.Null, fmt.Errorf("%q is not an integer", s)
		}
		return schemas.IntValue(n), nil
	case schemas.Bool:
		return parseBool(t)
	case schemas.Decimal:
		return connectors.ParseDecimal(t, f.Scale)
	case schemas.Binary:
		b, err := hex.DecodeString(t)
		if err != nil {
			return schemas.Null, fmt.Errorf("%q is not hexadecimal bytes", s)
		}
		return schemas.TextValue(string(b)), nil
	}
	return schemas.Null, fmt.Errorf("column kind %s is not supported", f.Kind)
}

func parseBool(s string) (schemas.Value, error) {
	switch strings.ToLower(s) {
	case "true", "1", "yes":
		return schemas.BoolValue(true), nil
	case "false", "0", "no":
		return schemas.BoolValue(false), nil
	}
	return schemas.Null, fmt.Errorf("%q is not a boolean (true/false, 1/0, yes/no)", s)
}
