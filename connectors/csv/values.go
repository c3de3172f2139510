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
		return parseDecimal(t, f.Scale)
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

// parseDecimal parses [+-]digits[.digits] into an unscaled integer with
// exactly scale fractional digits; more digits than scale are refused
// rather than rounded.
func parseDecimal(s string, scale int32) (schemas.Value, error) {
	bad := func() (schemas.Value, error) {
		return schemas.Null, fmt.Errorf("%q is not a decimal with at most %d digits after the point", s, scale)
	}
	neg := false
	t := s
	if t[0] == '+' || t[0] == '-' {
		neg = t[0] == '-'
		t = t[1:]
	}
	whole, frac, _ := strings.Cut(t, ".")
	if whole == "" && frac == "" || len(frac) > int(scale) {
		return bad()
	}
	var n int64
	for _, part := range []string{whole, frac + strings.Repeat("0", int(scale)-len(frac))} {
		for i := 0; i < len(part); i++ {
			d := part[i]
			if d < '0' || d > '9' {
				return bad()
			}
			if n > (1<<63-1-int64(d-'0'))/10 {
				return schemas.Null, fmt.Errorf("%q is out of range", s)
			}
			n = n*10 + int64(d-'0')
		}
	}
	if neg {
		n = -n
	}
	return schemas.DecimalValue(n), nil
}

// sexCodes maps the usual spellings of administrative sex, in several
// languages, to the canonical F, M, O and U.
var sexCodes = map[string]string{
	"m": "M", "male": "M", "man": "M", "h": "M", "homme": "M", "masculin": "M", "männlich": "M", "hombre": "M", "masculino": "M",
	"f": "F", "female": "F", "woman": "F", "w": "F", "femme": "F", "féminin": "F", "weiblich": "F", "mujer": "F", "femenino": "F", "feminino": "F",
	"o": "O", "other": "O", "x": "O", "autre": "O", "divers": "O", "d": "O", "otro": "O",
	"u": "U", "unknown": "U", "i": "U", "indéterminé": "U", "inconnu": "U", "unbekannt": "U", "desconocido": "U", "?": "U",
}

// normSex maps a patient's sex to F, M, O or U; empty is null.
func normSex(s string) (schemas.Value, error) {
	switch s {
	case "F", "M", "O", "U":
		return schemas.TextValue(s), nil
	}
	t := strings.ToLower(strings.TrimSpace(s))
	if t == "" {
		return schemas.Null, nil
	}
	if code, ok := sexCodes[t]; ok {
		return schemas.TextValue(code), nil
	}
	return schemas.Null, fmt.Errorf("%q is not a known sex (M, F, O, U, male, female, other, unknown...)", s)
}
