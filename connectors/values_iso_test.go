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
