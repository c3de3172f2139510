package connectors

import (
	"fmt"
	"testing"
	"time"

	"github.com/healthanchor/healthanchor/schemas"
)

// TestParseISODateAgainstTime checks the ISO date fast path against
// time.Parse over every day of many years and a set of near misses.
func TestParseISODateAgainstTime(t *testing.T) {
	check := func(s string) {
		t.Helper()
		got, ok := parseISODate(s)
		tm, err := time.Parse(isoDate, s)
		if !ok {
			if err == nil && len(s) == len(isoDate) && s[0] != '+' && s[0] != '-' {
				t.Errorf("parseISODate(%q) refused what time.Parse accepts", s)
			}
			return
		}
		if err != nil {
			t.Fatalf("parseISODate(%q) accepted what time.Parse refuses: %v", s, err)
		}
		if want := schemas.DateValue(tm); got != want {
			t.Fatalf("parseISODate(%q) = %v, want %v", s, got, want)
		}
	}
	for y := 0; y < 10000; y++ {
		for m := 0; m <= 13; m++ {
			for d := 0; d <= 32; d++ {
				if d > 1 && d < 28 && (y > 3 && y < 1890 || y > 2110 && y < 9995) {
					continue
				}
				check(fmt.Sprintf("%04d-%02d-%02d", y, m, d))
			}
		}
	}
	for _, s := range []string{"2024-02-30", "2023-02-29", "1900-02-29", "2000-02-29", "2024-00-10", "2024-13-01", "2024-01-00",
		"2024-01-32", "2024-04-31", "2024/01/01", "2024-1-01", "20240101", "2024-01-1x", "+024-01-01", " 2024-01-0", "２０２４-01-01"} {
		check(s)
	}
}

// TestParseUTCSecondsAgainstTime checks the timestamp fast path against
// time.Parse(time.RFC3339Nano, ...) on instants across the calendar and a
// set of near misses.
func TestParseUTCSecondsAgainstTime(t *testing.T) {
	check := func(s string) {
		t.Helper()
		got, ok := parseUTCSeconds(s)
		tm, err := time.Parse(time.RFC3339Nano, s)
		if !ok {
			if err == nil && len(s) >= 20 && len(s) <= 30 && s[len(s)-1] == 'Z' && s[19] != ',' && s[0] != '+' && s[0] != '-' {
				t.Errorf("parseUTCSeconds(%q) refused what time.Parse accepts", s)
			}
			return
		}
		if err != nil {
			t.Fatalf("parseUTCSeconds(%q) accepted what time.Parse refuses: %v", s, err)
		}
		if want := schemas.TimestampValue(tm); got != want {
			t.Fatalf("parseUTCSeconds(%q) = %v, want %v", s, got, want)
		}
	}
	for sec := int64(-62135596800); sec < 253402300800; sec += 7777777 {
		tm := time.Unix(sec, sec%1000000007).UTC()
		check(tm.Format("2006-01-02T15:04:05Z"))
		check(tm.Format(time.RFC3339Nano))
		check(tm.Format("2006-01-02T15:04:05.000000Z"))
		check(tm.Format("2006-01-02T15:04:05.0Z"))
	}
	for _, s := range []string{"2026-03-10T11:33:00Z", "2024-02-29T23:59:59Z", "1970-01-01T00:00:00Z", "1969-12-31T23:59:59Z",
		"2023-02-29T10:00:00Z", "2026-03-10T24:00:00Z", "2026-03-10T23:60:00Z", "2026-03-10T23:59:60Z", "2026-03-10t11:33:00Z",
		"2026-03-10T11:33:00z", "2026-03-10 11:33:00Z", "2026-03-10T11:33:0xZ", "2026-03-10T1:33:00ZZ", "2026-03-10T11-33-00Z",
		"2026-03-10T11:33:00.5Z", "2026-03-10T11:33:00.123456789Z", "2026-03-10T11:33:00.1234567891Z", "2026-03-10T11:33:00.Z",
		"2026-03-10T11:33:00,5Z", "2026-03-10T11:33:00.12a4Z", "2026-03-10T11:33:00.999999999Z", "1969-12-31T23:59:59.999999Z",
		"2026-03-10T11:33:00+01:00", "2026-03-10T11:33:00.5+01:00", "0000-01-01T00:00:00Z", "9999-12-31T23:59:59Z"} {
		check(s)
	}
}
