package schemas

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// TestDateAndTimestampAgainstTime checks the hand-written calendar code
// against the standard library over a wide range of instants.
func TestDateAndTimestampAgainstTime(t *testing.T) {
	check := func(tm time.Time) {
		t.Helper()
		micros := tm.UnixMicro()
		if got, want := string(AppendTimestamp(nil, micros)), tm.UTC().Format("2006-01-02T15:04:05.000000Z"); got != want {
			t.Fatalf("AppendTimestamp(%d) = %s, want %s", micros, got, want)
		}
		days := floorDiv(tm.Unix(), 86400)
		if got, want := string(AppendDate(nil, days)), tm.UTC().Format("2006-01-02"); got != want {
			t.Fatalf("AppendDate(%d) = %s, want %s", days, got, want)
		}
	}
	for _, tm := range []time.Time{
		time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(1969, 12, 31, 23, 59, 59, 999999000, time.UTC),
		time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(1900, 2, 28, 12, 0, 0, 1000, time.UTC),
		time.Date(2000, 2, 29, 0, 0, 0, 0, time.UTC),
		time.Date(2024, 2, 29, 23, 59, 59, 0, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 999999000, time.UTC),
	} {
		check(tm)
	}
	start := time.Date(1600, 1, 1, 0, 0, 0, 0, time.UTC).UnixMicro()
	end := time.Date(2400, 1, 1, 0, 0, 0, 0, time.UTC).UnixMicro()
	step := (end - start) / 200000
	for m := start; m < end; m += step + 12345 {
		check(time.UnixMicro(m))
	}
}

func TestAppendDecimal(t *testing.T) {
	cases := []struct {
		unscaled int64
		scale    int32
		want     string
	}{
		{1250, 2, "12.50"}, {-50, 2, "-0.50"}, {0, 2, "0.00"}, {5, 3, "0.005"}, {-123456789, 2, "-1234567.89"},
		{42, 0, "42"}, {7, -2, "700"},
	}
	for _, c := range cases {
		if got := string(AppendDecimal(nil, c.unscaled, c.scale)); got != c.want {
			t.Errorf("AppendDecimal(%d, %d) = %s, want %s", c.unscaled, c.scale, got, c.want)
		}
	}
}

func TestEscaping(t *testing.T) {
	cases := map[string]string{
		"plain":            `"plain"`,
		"q\"b\\":           `"q\"b\\"`,
		"\b\f\n\r\t":       `"\b\f\n\r\t"`,
		"\x00\x01\x1f":     `"\u0000\u0001\u001f"`,
		"\x7f / é 中 😀 <>&": "\"\x7f / é 中 😀 <>&\"",
	}
	for in, want := range cases {
		if got := string(AppendJSONString(nil, in)); got != want {
			t.Errorf("AppendJSONString(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestFingerprintsStable(t *testing.T) {
	// A change here changes every anchored manifest's fingerprint: it
	// must come with a new schema version.
	want := map[string]string{
		"patient/1":      "c8536772d1164a0cdbe6db11a75a760ed7be8a58a507238f2cd4f052b63fc556",
		"order/1":        "f75c2c595db638035a13ff5b34668fa929ebdbb0b0a445cc7a86d05884774f93",
		"immunization/1": "5e68c8a8e4008b47f7fcd2ef12a3354136d9544a10347f3004653aba6e07673c",
		"condition/1":    "456e4f019a253c957553ebb88b17eb960d35e566194bae4b7ab2f97eee14c557",
		"allergy/1":      "08222aa676d1ed4e758c9dd7c97191040383b01df68fb85d0e454e20b78a0cb2",
	}
	for id, fp := range want {
		s, err := Lookup(id)
		if err != nil {
			t.Fatal(err)
		}
		if s.Fingerprint() != fp {
			t.Errorf("%s fingerprint %s, want %s", id, s.Fingerprint(), fp)
		}
	}
	if _, err := Lookup("patient/9"); err == nil {
		t.Error("Lookup of an unknown schema succeeded")
	}
}

func TestCheckNamesTheMissingColumn(t *testing.T) {
	r := Patient.NewRow()
	r[IdxSource] = TextValue("s")
	r[IdxSourceRef] = TextValue("r")
	if err := Patient.Check(r); err == nil || err.Error() != "patient_id is required" {
		t.Errorf("Check = %v", err)
	}
	r[Patient.Index("patient_id")] = TextValue("P1")
	if err := Patient.Check(r); err != nil {
		t.Errorf("Check of a complete row: %v", err)
	}
}

// referenceText is appendText's specification: RFC 8785 escaping and a
// separate UTF-8 check.
func referenceText(s string) (string, bool) {
	return string(appendEscaped(nil, s)), utf8.ValidString(s)
}

// TestAppendTextMatchesReference checks the word-at-a-time appendText
// against the byte-by-byte reference on strings dense in what it must
// catch at every position of a word: quotes, backslashes, control
// characters, multi-byte and broken UTF-8.
func TestAppendTextMatchesReference(t *testing.T) {
	pieces := []string{"a", "Z", " ", "~", "\"", "\\", "\x00", "\x1f", "\x7f", "\n", "é", "山", "\xff", "\xc3", "😀", "\xe5\xb1"}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		var b strings.Builder
		for range rng.IntN(40) {
			if rng.IntN(4) == 0 {
				b.WriteString(pieces[rng.IntN(len(pieces))])
			} else {
				b.WriteByte(byte('a' + rng.IntN(26)))
			}
		}
		s := b.String()
		got, ok := appendText(nil, s)
		want, wantOK := referenceText(s)
		if ok != wantOK || (ok && string(got) != want) {
			t.Fatalf("appendText(%q) = %q, %v; want %q, %v", s, got, ok, want, wantOK)
		}
	}
}

func FuzzAppendText(f *testing.F) {
	for _, s := range []string{"", "plain ascii text", "12345678\"", "abcdefg\\h", "Müller", "\x00\x01\x02\x03\x04\x05\x06\x07\x08", "abcdefgh\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := appendText(nil, s)
		want, wantOK := referenceText(s)
		if ok != wantOK || (ok && string(got) != want) {
			t.Fatalf("appendText(%q) = %q, %v; want %q, %v", s, got, ok, want, wantOK)
		}
	})
}
