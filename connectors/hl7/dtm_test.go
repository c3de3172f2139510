package hl7

import (
	"testing"
	"time"
)

func TestParseDTM(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Skip("no tzdata:", err)
	}
	tests := []struct {
		in   string
		loc  *time.Location
		want string // UTC, RFC 3339 nano; "" for an error
	}{
		{"2024", time.UTC, "2024-01-01T00:00:00Z"},
		{"202403", time.UTC, "2024-03-01T00:00:00Z"},
		{"20240311", time.UTC, "2024-03-11T00:00:00Z"},
		{"2024031114", time.UTC, "2024-03-11T14:00:00Z"},
		{"202403111425", time.UTC, "2024-03-11T14:25:00Z"},
		{"20240311142501", time.UTC, "2024-03-11T14:25:01Z"},
		{"20240311142501.1", time.UTC, "2024-03-11T14:25:01.1Z"},
		{"20240311142501.1234", time.UTC, "2024-03-11T14:25:01.1234Z"},
		{"20240311142501+0100", time.UTC, "2024-03-11T13:25:01Z"},
		{"20240311142501.5-0530", time.UTC, "2024-03-11T19:55:01.5Z"},
		{"202403111425-0500", time.UTC, "2024-03-11T19:25:00Z"},
		{"20240311142501", paris, "2024-03-11T13:25:01Z"},
		{"20240711142501", paris, "2024-07-11T12:25:01Z"},
		{"20240711142501+0000", paris, "2024-07-11T14:25:01Z"},
		{"20240229", time.UTC, "2024-02-29T00:00:00Z"},
		{"20230229", time.UTC, ""},
		{"19991332", time.UTC, ""},
		{"20240311246000", time.UTC, ""},
		{"2024031114250", time.UTC, ""},
		{"20240311.5", time.UTC, ""},
		{"20240311142501.12345", time.UTC, ""},
		{"20240311142501+01", time.UTC, ""},
		{"2024-03-11", time.UTC, ""},
		{"Aug 15, 1942", time.UTC, ""},
		{"", time.UTC, ""},
	}
	for _, tc := range tests {
		got, err := parseDTM(tc.in, tc.loc)
		switch {
		case tc.want == "" && err == nil:
			t.Errorf("%q: parsed as %v, want an error", tc.in, got)
		case tc.want != "" && err != nil:
			t.Errorf("%q: %v", tc.in, err)
		case tc.want != "" && got.UTC().Format(time.RFC3339Nano) != tc.want:
			t.Errorf("%q = %s, want %s", tc.in, got.UTC().Format(time.RFC3339Nano), tc.want)
		}
	}
}

func TestParseDate(t *testing.T) {
	for in, want := range map[string]string{
		"19840229": "1984-02-29", "198402291230": "1984-02-29", "19840229235959+1400": "1984-02-29",
		"1984": "", "198402": "", "19991332": "", "19840230": "",
	} {
		got, err := parseDate(in)
		if want == "" {
			if err == nil {
				t.Errorf("%q: parsed, want an error", in)
			}
			continue
		}
		if err != nil || got.Format("2006-01-02") != want {
			t.Errorf("%q = %v, %v; want %s", in, got, err, want)
		}
	}
}
