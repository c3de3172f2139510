package audit

import "testing"

func TestRedacted(t *testing.T) {
	for _, tc := range []struct{ reason, ref, want string }{
		{`inbox/a.csv:30: birth_date: "1981-02-30" is not a date (expected 2006-01-02)`, "inbox/a.csv:30",
			`birth_date: "…" is not a date (expected 2006-01-02)`},
		{`patients id=17 date_naissance: "0000-00-00" is not a date`, "patients id=17", `date_naissance: "…" is not a date`},
		{`a.csv:34: birth_date (column "DATE_NAISSANCE"): "31/04/1977" is not a date`, "a.csv:34",
			`birth_date (column "DATE_NAISSANCE"): "…" is not a date`},
		{`PID-7: "1979\"1332" is not a date`, "x#1", `PID-7: "…" is not a date`},
		{`record has 7 fields, want 12`, "", `record has 7 fields, want 12`},
	} {
		if got := Redacted(tc.reason, tc.ref); got != tc.want {
			t.Errorf("Redacted(%q)\n got %q\nwant %q", tc.reason, got, tc.want)
		}
	}
}
