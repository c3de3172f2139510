package hl7

import (
	"strings"
	"testing"
)

func TestCharsets(t *testing.T) {
	tests := []struct {
		name     string
		msh18    string
		body     string // PID-5 bytes
		fallback string
		want     string
		declared bool
		warn     bool
	}{
		{"utf-8 declared", "UNICODE UTF-8", "Zoë", "", "Zoë", true, false},
		{"utf-8 inferred", "", "Zoë", "", "Zoë", false, false},
		{"latin-1", "8859/1", "Zo\xeb", "", "Zoë", true, false},
		{"latin-2", "8859/2", "\xa3\xf3d\xbc", "", "Łódź", true, false},
		{"cyrillic", "8859/5", "\xbf\xd5\xe2\xe0", "", "Петр", true, false},
		{"latin-9 euro", "8859/15", "12\xa4", "", "12€", true, false},
		{"windows-1250", "WINDOWS-1250", "\x8alehov\xe1", "", "Šlehová", true, false},
		{"fallback 1252", "", "M\xfcller \x80", "", "Müller €", false, true},
		{"fallback 8859/2", "", "\xa3\xf3d\xbc", "8859/2", "Łódź", false, true},
		{"ascii", "ASCII", "Doe", "", "Doe", true, false},
		{"hex escape utf-8", "UNICODE UTF-8", `caf\XC3A9\`, "", "café", true, false},
		{"hex escape latin-1", "8859/1", `caf\XE9\`, "", "café", true, false},
		{"hex escape invalid kept", "UNICODE UTF-8", `caf\XC3\`, "", `caf\XC3\`, true, false},
	}
	for _, tc := range tests {
		raw := "MSH|^~\\&|A|B|||||ADT^A01|C|P|2.5||||||" + tc.msh18 + "\rPID|1||X||" + tc.body + "\r"
		p := Parser{}
		if tc.fallback != "" {
			cs, err := LookupCharset(tc.fallback)
			if err != nil {
				t.Fatal(err)
			}
			p.Fallback = cs
		}
		var m Message
		if err := p.ParseInto(&m, []byte(raw)); err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if got := m.Field("PID", 5).String(); got != tc.want {
			t.Errorf("%s: PID-5 = %q, want %q", tc.name, got, tc.want)
		}
		if m.CharsetDeclared() != tc.declared || (len(m.Warnings()) > 0) != tc.warn {
			t.Errorf("%s: declared %v, warnings %q", tc.name, m.CharsetDeclared(), m.Warnings())
		}
		if strings.ContainsRune(m.Field("PID", 5).String(), '\uFFFD') {
			t.Errorf("%s: U+FFFD in output", tc.name)
		}
	}
}

func TestLookupCharsetNames(t *testing.T) {
	for _, n := range []string{"8859/1", "iso-8859-1", "ISO IR100", " unicode utf-8 ", "UTF-8", "cp1252", "windows-1258", "8859/16", "ASCII"} {
		if _, err := LookupCharset(n); err != nil {
			t.Errorf("%q: %v", n, err)
		}
	}
	for _, n := range []string{"UNICODE UTF-16", "ISO IR87", "BIG-5", "GB 18030-2000", "8859/12", "EBCDIC"} {
		if _, err := LookupCharset(n); err == nil {
			t.Errorf("%q: accepted, want unsupported", n)
		}
	}
}
