package hl7

import (
	"strings"
	"testing"
)

func mustParse(t *testing.T, raw string) *Message {
	t.Helper()
	m, err := Parse([]byte(raw))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return m
}

func TestParseValues(t *testing.T) {
	const msg = "MSH|^~\\&|APP|FAC|||20240101||ADT^A01|C1|P|2.5\r" +
		"PID|1||ID1^^^A^MR~ID2^^^B&1.2.3&ISO^PI||Doe^Jane^\"\"||\"\"|F|||a\\S\\b\\T\\c\\F\\d\\R\\e\\E\\f\r" +
		"ZZ1\r" +
		"ZZ1|first||\r" +
		"OBX|1|ST|X||one\r" +
		"OBX|2|ST|Y||two\\.br\\2\\H\\b\\N\\\\Zxx\\|\r"
	m := mustParse(t, msg)
	tests := []struct {
		path string
		want string
		pres Presence
	}{
		{"MSH-1", "|", Present},
		{"MSH-2", "^~\\&", Present},
		{"MSH-9.2", "A01", Present},
		{"MSH-10", "C1", Present},
		{"PID-3", "ID1", Present},
		{"PID-3[2]", "ID2", Present},
		{"PID-3[2].4", "B", Present},
		{"PID-3[2].4.2", "1.2.3", Present},
		{"PID-3[3]", "", Absent},
		{"PID-5.3", "", Null},
		{"PID-5.4", "", Absent},
		{"PID-7", "", Null},
		{"PID-6", "", Absent},
		{"PID-11", "a^b&c|d~e\\f", Present},
		{"PID-99", "", Absent},
		{"ZZ1-1", "", Absent},
		{"ZZ1@2-1", "first", Present},
		{"ZZ1@2-3", "", Absent},
		{"ZZ1@3-1", "", Absent},
		{"OBX@2-5", "two\n2b\\Zxx\\", Present},
		{"OBX-5", "one", Present},
	}
	for _, tc := range tests {
		v := m.Get(MustParsePath(tc.path))
		if got := v.String(); got != tc.want || v.Presence() != tc.pres {
			t.Errorf("%s = %q (%s), want %q (%s)", tc.path, got, v.Presence(), tc.want, tc.pres)
		}
	}
	if got := string(m.Get(MustParsePath("PID-11")).Raw()); got != `a\S\b\T\c\F\d\R\e\E\f` {
		t.Errorf("raw PID-11 = %q", got)
	}
	var ids []string
	for i := 0; i < m.NumSegments(); i++ {
		ids = append(ids, m.Segment(i).ID())
	}
	if got := strings.Join(ids, " "); got != "MSH PID ZZ1 ZZ1 OBX OBX" {
		t.Errorf("segments = %s", got)
	}
}

func TestParseTerminators(t *testing.T) {
	seg := []string{"MSH|^~\\&|A|B|||20240101||ADT^A01|C|P|2.5", "PID|1||X", "PV1|1|I"}
	for name, raw := range map[string]string{
		"CR":           strings.Join(seg, "\r") + "\r",
		"CRLF":         strings.Join(seg, "\r\n") + "\r\n",
		"LF":           strings.Join(seg, "\n") + "\n",
		"mixed":        seg[0] + "\r" + seg[1] + "\n" + seg[2] + "\r\n",
		"BOM and gaps": "\xEF\xBB\xBF" + seg[0] + "\n\n" + seg[1] + "\n  \n" + seg[2],
		"no final end": strings.Join(seg, "\r"),
	} {
		m, err := Parse([]byte(raw))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if m.NumSegments() != 3 || m.Field("PV1", 2).String() != "I" || m.Field("PID", 3).String() != "X" {
			t.Errorf("%s: %d segments, PV1-2 %q", name, m.NumSegments(), m.Field("PV1", 2).String())
		}
	}
	// In a CR message, an LF not followed by a segment is data.
	m := mustParse(t, "MSH|^~\\&|A|B|||20240101||ORU^R01|C|P|2.5\rOBX|1|TX|X||line one\nline two|\r")
	if got := m.Field("OBX", 5).String(); got != "line one\nline two" {
		t.Errorf("OBX-5 = %q", got)
	}
}

func TestParseDelimiters(t *testing.T) {
	tests := []struct {
		raw, path, want string
	}{
		{"MSH|^~\\&#|A|B|||20240101||ADT^A01|C|P|2.7\rPID|1||X||Kowalsk#^Jan", "PID-5.1", "Kowalsk#"},
		{"MSH|^~\\&#|A|B|||20240101||ADT^A01|C|P|2.5\rPID|1||X||a\\P\\b", "PID-5", "a#b"},
		{"MSH^~|\\&^A^B^^^20240101^^ADT~A01^C^P^2.5\rPID^1^^X~~~A|Y~~~B^^Doe~Jo", "PID-3[2]", "Y"},
		{"MSH^~|\\&^A^B^^^20240101^^ADT~A01^C^P^2.5\rPID^1^^X~~~A|Y~~~B^^Doe~Jo", "PID-5.2", "Jo"},
		{"MSH!@*$%!A!B!!!20240101!!ADT@A01!C!P!2.5\rPID!1!!X!!a$F$b@c", "PID-5.2", "c"},
		{"MSH!@*$%!A!B!!!20240101!!ADT@A01!C!P!2.5\rPID!1!!X!!a$F$b@c", "PID-5.1", "a!b"},
		{"MSH|^~`&|A|B|||20240101||ADT^A01|C|P|2.1\rPID|1||X||a`T`b", "PID-5", "a&b"},
	}
	for _, tc := range tests {
		m := mustParse(t, tc.raw)
		if got := m.Get(MustParsePath(tc.path)).String(); got != tc.want {
			t.Errorf("%s in %q = %q, want %q", tc.path, tc.raw[:12], got, tc.want)
		}
	}
}

func TestParseRejects(t *testing.T) {
	tests := []struct {
		name, raw, reason string
	}{
		{"no MSH", "PID|1||X\r", "line 1: MSH: the message does not start with an MSH segment"},
		{"empty", "\r\n", "MSH: empty message"},
		{"MSH-2 too short", "MSH|^~\\|A\r", "MSH-2: encoding characters"},
		{"MSH-2 too long", "MSH|^~\\&#!|A\r", "must be 4 characters"},
		{"MSH-2 repeats", "MSH|^~\\\\&|A\r", "repeat"},
		{"MSH-2 has fs", "MSH|^~|&|A\r", "MSH-2"},
		{"MSH-2 alnum", "MSH|^~\\A|A\r", "cannot be an encoding character"},
		{"short id", "MSH|^~\\&|A\rPI|1\r", `line 2: "PI|1" does not start with a segment id`},
		{"lower id", "MSH|^~\\&|A\nPID|1\npv1|1\n", `line 3: "pv1|1"`},
		{"long id", "MSH|^~\\&|A\rPIDX|1\r", "line 2"},
		{"wrapped", "MSH|^~\\&|A\nPID|1||X||Do\ne^J\n", `line 3: "e^J" does not start with a segment id`},
		{"two MSH", "MSH|^~\\&|A\rMSH|^~\\&|B\r", "line 2: a second MSH segment"},
		{"unknown charset", "MSH|^~\\&|A|||||||||||||||KLINGON\r", `MSH-18: unknown or unsupported character set "KLINGON"`},
		{"bad declared bytes", "MSH|^~\\&|A|||||||||||||||ASCII\rPID|1||X||Caf\xe9\r", "MSH-18: line 2: byte 0xE9 is not valid ASCII"},
		{"bad declared UTF-8", "MSH|^~\\&|A|||||||||||||||UNICODE UTF-8\rPID|1||\xe9\r", "byte 0xE9 is not valid UNICODE UTF-8"},
		{"undefined in fallback", "MSH|^~\\&|A\rPID|1||\x81\r", "neither UTF-8 nor windows-1252"},
	}
	for _, tc := range tests {
		_, err := Parse([]byte(tc.raw))
		if err == nil {
			t.Errorf("%s: parsed, want reject %q", tc.name, tc.reason)
			continue
		}
		if !strings.Contains(Reason(err), tc.reason) {
			t.Errorf("%s: reason %q, want it to contain %q", tc.name, Reason(err), tc.reason)
		}
		if !strings.HasPrefix(err.Error(), "hl7: ") {
			t.Errorf("%s: error %q lacks the hl7: prefix", tc.name, err)
		}
	}
}

func TestParseSegmentOnlyID(t *testing.T) {
	m := mustParse(t, "MSH|^~\\&|A\rZZZ\rPID|1\r")
	s, ok := m.Find("ZZZ", 1)
	if !ok || s.NumFields() != 0 || s.Field(1).Presence() != Absent {
		t.Errorf("ZZZ: found %v, %d fields", ok, s.NumFields())
	}
}

func TestParseIntoReuse(t *testing.T) {
	var p Parser
	var m Message
	for i, raw := range []string{"MSH|^~\\&|A|B|||||ADT^A01|ONE\rPID|1||X\rPV1|1\r", "MSH|^~\\&|A|B|||||ADT^A01|TWO\r"} {
		if err := p.ParseInto(&m, []byte(raw)); err != nil {
			t.Fatal(err)
		}
		if want := []string{"ONE", "TWO"}[i]; m.ControlID() != want {
			t.Errorf("control id %q, want %q", m.ControlID(), want)
		}
	}
	if m.NumSegments() != 1 {
		t.Errorf("reused message kept %d segments", m.NumSegments())
	}
}

// TestCompsMatchesComp checks that splitting a repetition in one pass
// gives what Comp gives component by component.
func TestCompsMatchesComp(t *testing.T) {
	m := mustParse(t, "MSH|^~\\&|A|B|||||ADT^A01|C|P|2.5\rPID|1||a^b^^d~x|^|\"\"^y^|||^^^^^^^^^^^^z|\\S\\^q&r\r")
	pid, _ := m.Find("PID", 1)
	values := []Value{m.Field("MSH", 1), m.Field("MSH", 2), m.Field("MSH", 9).Rep(1), pid.Field(2), pid.Field(30)}
	for f := 3; f <= 8; f++ {
		values = append(values, pid.Field(f).Rep(1), pid.Field(f).Rep(2))
	}
	for i, v := range values {
		for _, n := range []int{1, 2, 4, 12} {
			got := make([]Value, n)
			v.comps(got)
			for c := 1; c <= n; c++ {
				want := v.Comp(c)
				if got[c-1].present != want.present || string(got[c-1].raw) != string(want.raw) || got[c-1].literal != want.literal {
					t.Errorf("value %d (%q) comps(%d)[%d] = %q present %v, Comp(%d) = %q present %v",
						i, v.raw, n, c-1, got[c-1].raw, got[c-1].present, c, want.raw, want.present)
				}
			}
		}
	}
}
