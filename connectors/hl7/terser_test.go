package hl7

import "testing"

func TestParsePath(t *testing.T) {
	for in, want := range map[string]string{
		"PID-5":        "PID@1-5[1].1.1",
		"PID-5.1":      "PID@1-5[1].1.1",
		"PID-3[2].4.2": "PID@1-3[2].4.2",
		"OBX@2-5":      "OBX@2-5[1].1.1",
		"ZP1@3-10[4]":  "ZP1@3-10[4].1.1",
		"MSH-9.2":      "MSH@1-9[1].2.1",
	} {
		p, err := ParsePath(in)
		if err != nil || p.String() != want {
			t.Errorf("%q = %v, %v; want %s", in, p, err, want)
		}
	}
	for _, in := range []string{"", "PID", "PID-", "PID-0", "pid-5", "PID5", "PI-5", "PID-5.0", "PID-5.1.2.3", "PID-3[0]", "PID-3[2", "PID@0-3", "PID@x-3", "PID-a"} {
		if _, err := ParsePath(in); err == nil {
			t.Errorf("%q: parsed, want an error", in)
		}
	}
}
