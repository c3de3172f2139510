package lifecycle

import (
	"strings"
	"testing"
	"time"

	"github.com/healthanchor/healthanchor/anchor"
)

func TestParseRetention(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want RetentionPeriod
		err  string // part of the error; "" when it parses
	}{
		{in: "10y", want: RetentionPeriod{Years: 10}},
		{in: "400d", want: RetentionPeriod{Days: 400}},
		{in: "1d", want: RetentionPeriod{Days: 1}},
		{in: "0d", err: "shorter than a day"},
		{in: "0y", err: "shorter than a day"},
		{in: "12h", err: "whole number of years or days"},
		{in: "10", err: "whole number of years or days"},
		{in: "ten years", err: "whole number of years or days"},
		{in: "-1d", err: "whole number of years or days"},
		{in: "", err: "whole number of years or days"},
		{in: "1001y", err: "longer than 1000y"},
		{in: "99999999999999999999d", err: "shorter than a day"},
	} {
		got, err := ParseRetention(tc.in)
		switch {
		case tc.err == "" && err != nil:
			t.Errorf("ParseRetention(%q): %v", tc.in, err)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("ParseRetention(%q) = %v, %v; want an error saying %q", tc.in, got, err, tc.err)
		case tc.err == "" && got != tc.want:
			t.Errorf("ParseRetention(%q) = %+v, want %+v", tc.in, got, tc.want)
		}
	}
}

func TestRetentionDue(t *testing.T) {
	anchored := time.Date(2016, 2, 29, 3, 0, 0, 0, time.UTC)
	p := RetentionPeriod{Years: 10}
	if got, want := p.Ends(anchored), time.Date(2026, 3, 1, 3, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("10y after %s ends %s, want %s", anchored, got, want)
	}
	if p.Due(anchored, time.Date(2026, 3, 1, 2, 59, 59, 0, time.UTC)) {
		t.Error("due a second before its retention ends")
	}
	if !p.Due(anchored, time.Date(2026, 3, 1, 3, 0, 0, 0, time.UTC)) {
		t.Error("not due when its retention ends")
	}
	d := RetentionPeriod{Days: 400}
	if got, want := d.Ends(anchored), anchored.Add(400*24*time.Hour); !got.Equal(want) {
		t.Errorf("400d after %s ends %s, want %s", anchored, got, want)
	}
}

// TestRetentionEntryBody pins the entry body's canonical form
// (docs/format.md, "Retention entries").
func TestRetentionEntryBody(t *testing.T) {
	at := time.Date(2016, 2, 29, 3, 0, 0, 0, time.UTC)
	e := NewRetentionEntry("0123456789abcdef0123456789abcdef", "patients-csv", RetentionPeriod{Years: 10}, at, 7, []string{anchor.FileRows, anchor.FileRejects})
	got, err := anchor.Canonical(e)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"anchored_at":"2016-02-29T03:00:00Z","batch_height":7,"batch_id":"0123456789abcdef0123456789abcdef","files":["rows","rejects"],"job":"patients-csv","retention":"10y"}`
	if string(got) != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if !e.Names(anchor.FileRejects) || (RetentionEntry{Files: []string{anchor.FileRows}}).Names(anchor.FileRejects) {
		t.Error("Names does not follow Files")
	}
}

// FuzzParseRetention: whatever parses prints back to a string that
// parses to the same period, and is at least a day.
func FuzzParseRetention(f *testing.F) {
	for _, s := range []string{"10y", "400d", "0d", "12h", "1001y", "007d"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParseRetention(s)
		if err != nil {
			return
		}
		if p.Years < 0 || p.Days < 0 || p.Years+p.Days == 0 {
			t.Fatalf("ParseRetention(%q) = %+v: shorter than a day", s, p)
		}
		again, err := ParseRetention(p.String())
		if err != nil || again != p {
			t.Fatalf("ParseRetention(%q) = %+v prints %q, which parses to %+v, %v", s, p, p.String(), again, err)
		}
	})
}
