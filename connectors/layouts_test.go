package connectors

import (
	"math/rand"
	"strings"
	"testing"
	"time"
)

func TestParseDateNeverGuessesTheOrder(t *testing.T) {
	both := NewLayouts([]string{"02/01/2006", "01/02/2006"})
	for _, tc := range []struct {
		in, want, err string
	}{
		{"12/01/1985", "", "02/01/2006 reads it as 1985-01-12, 01/02/2006 as 1985-12-01"},
		{"03/15/1970", "1970-03-15", ""},
		{"15/03/1970", "1970-03-15", ""},
		{"07/07/2001", "2001-07-07", ""}, // both readings agree
	} {
		v, err := ParseDate(tc.in, both)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ParseDate(%q) = %v, %v; want an error naming %q", tc.in, v, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseDate(%q): %v", tc.in, err)
			continue
		}
		if got := time.Unix(v.Num*86400, 0).UTC().Format("2006-01-02"); got != tc.want {
			t.Errorf("ParseDate(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

func TestDefaultDateLayoutsReadNoSlashedDayMonth(t *testing.T) {
	def := NewLayouts(DefaultDateLayouts)
	for i, r := range def.rivals {
		if len(r) > 0 {
			t.Errorf("default layout %q has rivals %v", DefaultDateLayouts[i], r)
		}
	}
	if _, err := ParseDate("12/01/1985", def); err == nil {
		t.Error("12/01/1985 parsed under the default layouts; the order must be configured")
	}
	if msg := MixedDayMonthOrder(DefaultDateLayouts); msg != "" {
		t.Errorf("defaults mix orders: %s", msg)
	}
	if msg := MixedDayMonthOrder(DefaultTimeLayouts); msg != "" {
		t.Errorf("default time layouts mix orders: %s", msg)
	}
}

// Every date written day-first is either read as itself or refused as
// ambiguous, never read as another date, whatever the order of the list.
func TestParseDateAmbiguityProperty(t *testing.T) {
	r := rand.New(rand.NewSource(7))
	lists := [][]string{
		{"02/01/2006", "01/02/2006"},
		{"01/02/2006", "02/01/2006"},
		{"2/1/2006", "1/2/2006", "2006-01-02"},
	}
	for _, list := range lists {
		l := NewLayouts(list)
		for i := 0; i < 2000; i++ {
			d := time.Date(1900+r.Intn(200), time.Month(1+r.Intn(12)), 1+r.Intn(28), 0, 0, 0, 0, time.UTC)
			v, err := ParseDate(d.Format(list[0]), l)
			ambiguous := d.Day() <= 12 && d.Day() != int(d.Month())
			switch {
			case ambiguous && err == nil:
				t.Fatalf("%v: %s read as day %d without complaint", list, d.Format(list[0]), v.Num)
			case !ambiguous && err != nil:
				t.Fatalf("%v: %s: %v", list, d.Format(list[0]), err)
			case !ambiguous && v.Num != d.Unix()/86400:
				t.Fatalf("%v: %s read as another date", list, d.Format(list[0]))
			}
		}
	}
}

func TestParseTimestampAmbiguous(t *testing.T) {
	l := NewLayouts([]string{"02/01/2006 15:04", "01/02/2006 15:04"})
	if _, err := ParseTimestamp("05/06/2020 10:00", l, time.UTC); err == nil || !strings.Contains(err.Error(), "ambiguous timestamp") {
		t.Fatalf("got %v, want an ambiguity error", err)
	}
	if _, err := ParseTimestamp("25/06/2020 10:00", l, time.UTC); err != nil {
		t.Fatal(err)
	}
}

func TestMixedDayMonthOrder(t *testing.T) {
	for _, tc := range []struct {
		list  []string
		mixed bool
	}{
		{[]string{"02/01/2006", "01/02/2006"}, true},
		{[]string{"2/1/2006", "1/2/2006"}, true},
		{[]string{"02/01/2006 15:04:05", "01/02/2006 15:04:05"}, true},
		{[]string{"02/01/2006", "2006/01/02"}, false},
		{[]string{"2006-01-02", "02-01-2006"}, false},
		{[]string{"02.01.2006", "01/02/2006"}, false},
		{[]string{"2006-01-02", "20060102", "2006/01/02"}, false},
	} {
		if got := MixedDayMonthOrder(tc.list) != ""; got != tc.mixed {
			t.Errorf("MixedDayMonthOrder(%q) = %v, want %v", tc.list, got, tc.mixed)
		}
	}
}
