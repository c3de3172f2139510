package patientindex

import "testing"

// TestRawNames pins the rule by which a reject's raw input names a
// patient: the id with no ASCII letter or digit on either side.
func TestRawNames(t *testing.T) {
	for _, c := range []struct {
		raw, id string
		want    bool
	}{
		{"P12,Dupont,Jean", "P12", true},
		{"PID|1||P12^^^HOSP^MR", "P12", true},
		{"x;P12", "P12", true},
		{"P123,Dupont", "P12", false},
		{"XP12,Dupont", "P12", false},
		{"P123,P12", "P12", true}, // a later whole occurrence counts
		{"MRN-7", "7", true},      // short ids match widely: erasing too much is the safe side
		{"anything", "", false},
	} {
		if got := RawNames([]byte(c.raw), c.id); got != c.want {
			t.Errorf("RawNames(%q, %q) = %v, want %v", c.raw, c.id, got, c.want)
		}
	}
}
