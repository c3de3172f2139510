package hl7

import (
	"strings"
	"testing"
)

func TestObsValue(t *testing.T) {
	tests := []struct{ vtype, obx5, want string }{
		{"NM", "5.4", "5.4"},
		{"SN", "<^0.3", "<0.3"},
		{"SN", "^1^:^40", "1:40"},
		{"SN", ">=^100", ">=100"},
		{"CWE", "371244009^Amber^SCT", "371244009^Amber^SCT"},
		{"CWE", "A^B^^^~C^D", "A^B~C^D"},
		{"TX", "one~two~", "one\ntwo\n"},
		{"FT", `a\.br\b`, "a\nb"},
		{"ST", `x\S\y^z`, "x^y^z"},
		{"NM", `""`, ""},
		{"CWE", `~~A~\H\~`, "~~A"},
		{"TX", `a~\H\`, "a\n"},
	}
	var mp Mapper
	for _, tc := range tests {
		m := mustParse(t, "MSH|^~\\&|A|B|||||ORU^R01|C|P|2.5\rOBX|1|"+tc.vtype+"|X||"+tc.obx5+"\r")
		if got := mp.obsValue(m.Field("OBX", 5), tc.vtype); got != tc.want {
			t.Errorf("%s %q = %q, want %q", tc.vtype, tc.obx5, got, tc.want)
		}
	}
}

func TestJoinFirstComps(t *testing.T) {
	tests := []struct{ obx8, want string }{
		{"H", "H"},
		{"H~L", "H~L"},
		{`~H~\H\~""~L^x~`, "H~L"},
		{`\H\`, ""},
		{"", ""},
	}
	var mp Mapper
	for _, tc := range tests {
		m := mustParse(t, "MSH|^~\\&|A|B|||||ORU^R01|C|P|2.5\rOBX|1|NM|X||1|||"+tc.obx8+"\r")
		if got := mp.joinFirstComps(m.Field("OBX", 8)); got != tc.want {
			t.Errorf("OBX-8 %q = %q, want %q", tc.obx8, got, tc.want)
		}
	}
}

func TestMapRules(t *testing.T) {
	const h = "MSH|^~\\&|APP|FAC^1.2.3^ISO|||20240101120000||"
	tests := []struct {
		name, msg string
		want      []string // substrings of the rendered rows, or of the reason
	}{
		{"sex A is O", h + "ADT^A28|C|P|2.5\rPID|1||X^^^^MR||D^J||19800101|A\r", []string{`"sex":"O"`}},
		{"sex N is U", h + "ADT^A28|C|P|2.5\rPID|1||X||D^J||19800101|n\r", []string{`"sex":"U"`}},
		{"trigger from EVN", h + "ADT|C|P|2.3\rEVN|A04|20240101\rPID|1||X\rPV1|1|O" + strings.Repeat("|", 17) + "V1\r", []string{`"event_type":"A04"`, `"encounter_id":"V1"`}},
		{"PID-2 before 2.4", h + "ADT^A08|C|P|2.2\rPID|1|OLD-7||||D\r", []string{`"patient_id":"OLD-7"`}},
		{"A08 without visit", h + "ADT^A08|C|P|2.5\rPID|1||X\r", []string{`"_schema":"patient/1"`}},
		{"A01 without PV1", h + "ADT^A01|C|P|2.5\rPID|1||X\r", []string{"PV1: ADT^A01 has no PV1 segment"}},
		{"no PID", h + "ADT^A01|C|P|2.5\rPV1|1|I\r", []string{"PID: ADT^A01 has no PID segment"}},
		{"no type", h + "|C|P|2.5\rPID|1||X\r", []string{"MSH-9: message type is required"}},
		{"OBX before PID", h + "ORU^R01|C|P|2.5\rOBX|1|NM|X||1\rPID|1||X\r", []string{"PID: no PID segment before OBX 1"}},
		{"ORC order", h + "ORU^R01|C|P|2.5\rPID|1||X\rORC|RE|P1|F1\rOBX|1|NM|X||1\r", []string{`"order_id":"F1"`}},
		{"OBR-7 fallback", h + "ORU^R01|C|P|2.5\rPID|1||X\rOBR|1||F2||||202401011200+0200\rOBX|1|NM|X||1\r", []string{`"observed_at":"2024-01-01T10:00:00.000000Z"`}},
		{"source from MSH-4", h + "ADT^A28|C|P|2.5\rPID|1||X\r", []string{`"source":"FAC"`}},
		{"bad OBX-14", h + "ORU^R01|C|P|2.5\rPID|1||X\rOBX|1|NM|X||1" + strings.Repeat("|", 6) + "F|||2024013\r", []string{`OBX-14: "2024013" is not a timestamp`}},
	}
	for _, tc := range tests {
		m := mustParse(t, tc.msg)
		var mp Mapper
		recs, err := mp.Map(m, "f#1/C")
		var got string
		if err != nil {
			got = Reason(err)
		} else {
			got = string(render(t, recs))
		}
		for _, w := range tc.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: %s\nlacks %s", tc.name, got, w)
			}
		}
	}
}
