package schemas

import (
	"encoding/hex"
	"strconv"
)

// Format returns v's canonical text form for column f (docs/format.md),
// and false for null. It is the same text the leaf encoding writes.
func (f Field) Format(v Value) (string, bool) {
	if !v.Set {
		return "", false
	}
	switch f.Kind {
	case Text:
		return v.Str, true
	case Binary:
		return hex.EncodeToString([]byte(v.Str)), true
	case Int:
		return strconv.FormatInt(v.Num, 10), true
	case Bool:
		return strconv.FormatBool(v.Num != 0), true
	case Date:
		return string(AppendDate(nil, v.Num)), true
	case Timestamp:
		return string(AppendTimestamp(nil, v.Num)), true
	case Decimal:
		return string(AppendDecimal(nil, v.Num, f.Scale)), true
	}
	return "", false
}

// Map returns the row as column name to canonical text (nil for null),
// leaving out _salt: the form `preview` prints and golden files hold.
func (s *Schema) Map(r Row) map[string]any {
	obj := make(map[string]any, len(s.Fields))
	for i, f := range s.Fields {
		if f.Name == ColSalt {
			continue
		}
		if txt, ok := f.Format(r[i]); ok {
			obj[f.Name] = txt
		} else {
			obj[f.Name] = nil
		}
	}
	return obj
}
