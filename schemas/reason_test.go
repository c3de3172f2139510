package schemas

import "testing"

func TestRedactReason(t *testing.T) {
	for _, tc := range []struct{ ref, reason, want string }{
		{"in/p.csv:17", `in/p.csv:17: birth_date: "31/02/1980" is not a date (expected 2006-01-02)`, `birth_date: "…" is not a date (expected 2006-01-02)`},
		{"patients id=17", `patients id=17 date_naissance: "0000-00-00" is not a date`, `date_naissance: "…" is not a date`},
		{"x.csv:2", `x.csv:2: sex (column "SEXE"): "Z \"q\"" is not a known sex`, `sex (column "SEXE"): "…" is not a known sex`},
		{"x#1", `PID-7: "1979\"1332" is not a date`, `PID-7: "…" is not a date`},
		{"f.hl7#3/MSG1", `PID-3: patient identifier is required`, `PID-3: patient identifier is required`},
		{"", `mapping: header "PRENOM" (for given_name) not found`, `mapping: header "PRENOM" (for given_name) not found`},
		{"", `record has 7 fields, want 12`, `record has 7 fields, want 12`},
	} {
		if got := RedactReason(tc.ref, tc.reason); got != tc.want {
			t.Errorf("RedactReason(%q, %q) = %q, want %q", tc.ref, tc.reason, got, tc.want)
		}
	}
}
