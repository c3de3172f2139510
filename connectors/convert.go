package connectors

import (
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/healthanchor/healthanchor/schemas"
)

// Converter turns source text into canonical values of a field's kind,
// for connectors whose sources hand out text (exec, fhir-ndjson).
type Converter struct {
	Dates Layouts        // date layouts, tried in order
	Times Layouts        // timestamp layouts, tried in order
	Loc   *time.Location // zone of timestamps without an offset
}

// Value converts s for field f of schema s. Empty text is null; text is
// kept exactly, other kinds are trimmed first; patient/1 sex is
// normalised to F, M, O or U.
func (c *Converter) Value(s *schemas.Schema, f schemas.Field, text string) (schemas.Value, error) {
	if text == "" {
		return schemas.Null, nil
	}
	if f.Kind == schemas.Text {
		if f.Name == "sex" && s == schemas.Patient {
			return NormSex(text)
		}
		return schemas.TextValue(text), nil
	}
	t := strings.TrimSpace(text)
	if t == "" {
		return schemas.Null, nil
	}
	switch f.Kind {
	case schemas.Date:
		return ParseDate(t, c.Dates)
	case schemas.Timestamp:
		loc := c.Loc
		if loc == nil {
			loc = time.UTC
		}
		return ParseTimestamp(t, c.Times, loc)
	case schemas.Int:
		n, err := strconv.ParseInt(t, 10, 64)
		if err != nil {
			return schemas.Null, fmt.Errorf("%s is not an integer", quoteValue(t))
		}
		return schemas.IntValue(n), nil
	case schemas.Bool:
		switch strings.ToLower(t) {
		case "true", "1", "yes":
			return schemas.BoolValue(true), nil
		case "false", "0", "no":
			return schemas.BoolValue(false), nil
		}
		return schemas.Null, fmt.Errorf("%s is not a boolean (true/false, 1/0, yes/no)", quoteValue(t))
	case schemas.Decimal:
		return ParseDecimal(t, f.Scale)
	case schemas.Binary:
		b, err := hex.DecodeString(t)
		if err != nil {
			return schemas.Null, fmt.Errorf("%s is not hexadecimal bytes", quoteValue(t))
		}
		return schemas.TextValue(string(b)), nil
	}
	return schemas.Null, fmt.Errorf("column kind %s is not supported", f.Kind)
}

// ParseDecimal parses [+-]digits[.digits] into an unscaled integer with
// exactly scale fractional digits; more digits than scale are refused
// rather than rounded.
func ParseDecimal(s string, scale int32) (schemas.Value, error) {
	bad := func() (schemas.Value, error) {
		return schemas.Null, fmt.Errorf("%s is not a decimal with at most %d digits after the point", quoteValue(s), scale)
	}
	neg := false
	t := s
	if t != "" && (t[0] == '+' || t[0] == '-') {
		neg, t = t[0] == '-', t[1:]
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
				return schemas.Null, fmt.Errorf("%s is out of range", quoteValue(s))
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

// NormSex maps a patient's sex to F, M, O or U; empty is null.
func NormSex(s string) (schemas.Value, error) {
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
	return schemas.Null, fmt.Errorf("%s is not a known sex (M, F, O, U, male, female, other, unknown...)", quoteValue(s))
}
