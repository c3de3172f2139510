package hl7

import (
	"fmt"
	"time"
)

// parseDTM parses an HL7 DTM (or TS component 1) value:
//
//	YYYY[MM[DD[HH[MM[SS[.S[S[S[S]]]]]]]]][+/-ZZZZ]
//
// of any precision; missing parts are the earliest (month 1, day 1,
// midnight). Without an offset the time is taken in loc.
func parseDTM(s string, loc *time.Location) (time.Time, error) {
	bad := func() (time.Time, error) {
		return time.Time{}, fmt.Errorf("%q is not a timestamp (HL7 DTM: YYYY[MM[DD[HH[MM[SS[.SSSS]]]]]][+/-ZZZZ])", s)
	}
	b := s
	off, hasOff := 0, false
	if i := indexSign(b); i >= 0 {
		z := b[i+1:]
		if len(z) != 4 || !digits(z) {
			return bad()
		}
		h, m := atoi(z[:2]), atoi(z[2:])
		if h > 14 || m > 59 {
			return bad()
		}
		off = (h*60 + m) * 60
		if b[i] == '-' {
			off = -off
		}
		hasOff, b = true, b[:i]
	}
	frac, ns := "", 0
	for i := 0; i < len(b); i++ {
		if b[i] == '.' {
			frac, b = b[i+1:], b[:i]
			if len(frac) < 1 || len(frac) > 4 || !digits(frac) || len(b) != 14 {
				return bad()
			}
			ns = atoi(frac)
			for range 9 - len(frac) {
				ns *= 10
			}
			break
		}
	}
	switch len(b) {
	case 4, 6, 8, 10, 12, 14:
	default:
		return bad()
	}
	if !digits(b) {
		return bad()
	}
	f := [6]int{0, 1, 1, 0, 0, 0}
	for i := 0; i*2+4 <= len(b) && i < 6; i++ {
		if i == 0 {
			f[0] = atoi(b[:4])
			continue
		}
		f[i] = atoi(b[2+i*2 : 4+i*2])
	}
	y, mo, d, h, mi, sec := f[0], f[1], f[2], f[3], f[4], f[5]
	if mo < 1 || mo > 12 || d < 1 || d > daysIn(y, mo) || h > 23 || mi > 59 || sec > 59 {
		return bad()
	}
	if hasOff {
		// the wall time minus its offset is UTC (no Location to allocate)
		return time.Date(y, time.Month(mo), d, h, mi, sec, ns, time.UTC).Add(-time.Duration(off) * time.Second), nil
	}
	return time.Date(y, time.Month(mo), d, h, mi, sec, ns, loc), nil
}

// parseDate parses a DT, or the date of a DTM, as written (no zone
// conversion). It needs at least a day.
func parseDate(s string) (time.Time, error) {
	t, err := parseDTM(s, time.UTC)
	if err != nil || len(s) < 8 {
		return time.Time{}, fmt.Errorf("%q is not a date (HL7 DT: YYYYMMDD)", s)
	}
	// t is in UTC, and UTC days are whole days since the zero time
	return t.Truncate(24 * time.Hour), nil
}

func indexSign(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] == '+' || s[i] == '-' {
			return i
		}
	}
	return -1
}

func digits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func atoi(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

func daysIn(y, m int) int {
	return time.Date(y, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}
