package connectors

import (
	"fmt"
	"strings"
	"time"

	"github.com/healthanchor/healthanchor/schemas"
)

// DefaultDateLayouts are tried, in order, when a connector's config names
// none. None is day-first or month-first: 12/01/1985 is read only when a
// job says which order its source writes.
var DefaultDateLayouts = []string{"2006-01-02", "20060102", "2006/01/02"}

// DefaultTimeLayouts are tried, in order, for timestamps when none are configured.
var DefaultTimeLayouts = []string{
	time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02 15:04",
	"20060102150405", "2006-01-02",
}

// ParseDate parses s with the first layout that accepts it; a value that
// another layout reads as a different date is an error naming both.
func ParseDate(s string, layouts Layouts) (schemas.Value, error) {
	s = strings.TrimSpace(s)
	list := layouts.list
	if len(list) > 0 && list[0] == isoDate && len(layouts.rivals[0]) == 0 {
		if v, ok := parseISODate(s); ok {
			return v, nil
		}
	}
	for i, l := range list {
		t, err := time.Parse(l, s)
		if err != nil {
			continue
		}
		for _, j := range layouts.rivals[i] {
			if u, err := time.Parse(list[j], s); err == nil && !u.Equal(t) {
				return schemas.Null, ambiguity("date", s, l, t.Format(isoDate), list[j], u.Format(isoDate))
			}
		}
		return schemas.DateValue(t), nil
	}
	return schemas.Null, fmt.Errorf("%q is not a date (expected %s)%s", s, strings.Join(list, " or "), layouts.orderHint(s))
}

const isoDate = "2006-01-02"

// parseISODate is time.Parse(isoDate, s) then schemas.DateValue, without
// the generic layout machinery: ok is false for anything it does not
// accept exactly as time.Parse would, which then decides.
func parseISODate(s string) (v schemas.Value, ok bool) {
	if len(s) != len(isoDate) || s[4] != '-' || s[7] != '-' {
		return v, false
	}
	num := func(b string) (int64, bool) {
		var n int64
		for i := 0; i < len(b); i++ {
			if b[i] < '0' || b[i] > '9' {
				return 0, false
			}
			n = n*10 + int64(b[i]-'0')
		}
		return n, true
	}
	y, ok1 := num(s[0:4])
	m, ok2 := num(s[5:7])
	d, ok3 := num(s[8:10])
	if !ok1 || !ok2 || !ok3 || m < 1 || m > 12 || d < 1 || d > daysIn(m, y) {
		return v, false
	}
	return schemas.Value{Set: true, Num: daysFromCivil(y, m, d)}, true
}

// parseUTCSeconds is time.Parse(time.RFC3339Nano, s) then
// schemas.TimestampValue for the common forms YYYY-MM-DDTHH:MM:SSZ and
// YYYY-MM-DDTHH:MM:SS.fffZ (one to nine fractional digits); ok is false
// for anything else, which the layouts then decide.
func parseUTCSeconds(s string) (v schemas.Value, ok bool) {
	const form = "2006-01-02T15:04:05"
	if len(s) < len(form)+1 || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[len(s)-1] != 'Z' {
		return v, false
	}
	var micros int64
	if frac := s[len(form) : len(s)-1]; frac != "" {
		if len(frac) < 2 || len(frac) > 10 || frac[0] != '.' {
			return v, false
		}
		var ns int64
		for i := 1; i < 10; i++ {
			d := int64(0)
			if i < len(frac) {
				if frac[i] < '0' || frac[i] > '9' {
					return v, false
				}
				d = int64(frac[i] - '0')
			}
			ns = ns*10 + d
		}
		micros = ns / 1000
	}
	date, ok := parseISODate(s[:10])
	if !ok {
		return v, false
	}
	var hms [3]int64
	for i, at := range [3]int{11, 14, 17} {
		a, b := s[at], s[at+1]
		if a < '0' || a > '9' || b < '0' || b > '9' {
			return v, false
		}
		hms[i] = int64(a-'0')*10 + int64(b-'0')
	}
	if hms[0] > 23 || hms[1] > 59 || hms[2] > 59 {
		return v, false
	}
	secs := date.Num*86400 + hms[0]*3600 + hms[1]*60 + hms[2]
	return schemas.Value{Set: true, Num: secs*1e6 + micros}, true
}

func daysIn(m, y int64) int64 {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// daysFromCivil is the number of days from 1970-01-01 to the proleptic
// Gregorian date y-m-d, for y >= 0 (H. Hinnant's days_from_civil).
func daysFromCivil(y, m, d int64) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 {
		era = (y - 399) / 400
	}
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

// ParseTimestamp parses s with the first layout that accepts it; times
// without a zone are taken in loc. A value that another layout reads as a
// different instant is an error naming both.
func ParseTimestamp(s string, layouts Layouts, loc *time.Location) (schemas.Value, error) {
	s = strings.TrimSpace(s)
	list := layouts.list
	if len(list) > 0 && (list[0] == time.RFC3339Nano || list[0] == time.RFC3339) && len(layouts.rivals[0]) == 0 {
		if v, ok := parseUTCSeconds(s); ok {
			return v, nil
		}
	}
	for i, l := range list {
		t, err := time.ParseInLocation(l, s, loc)
		if err != nil {
			continue
		}
		for _, j := range layouts.rivals[i] {
			if u, err := time.ParseInLocation(list[j], s, loc); err == nil && !u.Equal(t) {
				return schemas.Null, ambiguity("timestamp", s, l, t.UTC().Format(time.RFC3339), list[j], u.UTC().Format(time.RFC3339))
			}
		}
		return schemas.TimestampValue(t), nil
	}
	return schemas.Null, fmt.Errorf("%q is not a timestamp (expected %s)", s, strings.Join(list, " or "))
}

// NewRow returns a row of schema s with source and source_ref filled.
func NewRow(s *schemas.Schema, source, ref string) schemas.Row {
	return ResetRow(s.NewRow(), s, source, ref)
}

// ResetRow clears r (a row of schema s) for reuse and fills source and
// source_ref, so that a connector can emit every record in one row.
func ResetRow(r schemas.Row, s *schemas.Schema, source, ref string) schemas.Row {
	clear(r)
	r[schemas.IdxSchema] = schemas.TextValue(s.ID())
	r[schemas.IdxSource] = schemas.TextValue(source)
	r[schemas.IdxSourceRef] = schemas.TextValue(ref)
	return r
}

// SchemasByID parses a schema id from a connector's option.
func SchemasByID(id string) (*schemas.Schema, error) { return schemas.Lookup(id) }
