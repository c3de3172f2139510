package hl7

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// Charset is a character set a message can be written in (MSH-18). The
// connector supports those whose bytes 0x00-0x7F are ASCII, so that a
// message is split on its own bytes and only values are decoded: ASCII,
// ISO 8859 parts 1 to 16 (not 11 and 12, which do not exist in practice),
// the Windows code pages 874 and 1250 to 1258, and UTF-8.
type Charset struct {
	name  string
	table *[256]rune // nil for UTF-8; utf8.RuneError marks an undefined byte
}

// UTF8 is "UNICODE UTF-8", and the charset of a message without MSH-18
// whose bytes are valid UTF-8.
var UTF8 = &Charset{name: "UNICODE UTF-8"}

// DefaultFallback is the charset of undeclared messages that are not
// valid UTF-8, unless the connector is configured otherwise.
const DefaultFallback = "windows-1252"

// Name is the charset's name as the connector reports it ("8859/1",
// "UNICODE UTF-8", "windows-1252").
func (c *Charset) Name() string { return c.name }

var charsets = map[string]*Charset{}

func init() {
	ascii := new([256]rune)
	for i := range ascii {
		ascii[i] = utf8.RuneError
		if i < 0x80 {
			ascii[i] = rune(i)
		}
	}
	add := func(c *Charset, names ...string) {
		for _, n := range names {
			charsets[n] = c
		}
	}
	add(&Charset{name: "ASCII", table: ascii}, "ASCII", "US-ASCII", "ISO IR6", "ISO-IR-6")
	add(UTF8, "UNICODE UTF-8", "UTF-8", "UTF8", "UNICODE")
	iso := []struct {
		part int
		cm   *charmap.Charmap
		ir   string
	}{
		{1, charmap.ISO8859_1, "100"}, {2, charmap.ISO8859_2, "101"}, {3, charmap.ISO8859_3, "109"},
		{4, charmap.ISO8859_4, "110"}, {5, charmap.ISO8859_5, "144"}, {6, charmap.ISO8859_6, "127"},
		{7, charmap.ISO8859_7, "126"}, {8, charmap.ISO8859_8, "138"}, {9, charmap.ISO8859_9, "148"},
		{10, charmap.ISO8859_10, ""}, {13, charmap.ISO8859_13, ""}, {14, charmap.ISO8859_14, ""},
		{15, charmap.ISO8859_15, ""}, {16, charmap.ISO8859_16, ""},
	}
	for _, p := range iso {
		n := strconv.Itoa(p.part)
		c := &Charset{name: "8859/" + n, table: byteTable(p.cm)}
		add(c, "8859/"+n, "ISO-8859-"+n, "ISO8859-"+n, "ISO_8859-"+n, "ISO 8859-"+n)
		if p.ir != "" {
			add(c, "ISO IR"+p.ir, "ISO-IR-"+p.ir)
		}
	}
	add(charsets["8859/1"], "LATIN1", "LATIN-1")
	win := []struct {
		page int
		cm   *charmap.Charmap
	}{
		{874, charmap.Windows874}, {1250, charmap.Windows1250}, {1251, charmap.Windows1251},
		{1252, charmap.Windows1252}, {1253, charmap.Windows1253}, {1254, charmap.Windows1254},
		{1255, charmap.Windows1255}, {1256, charmap.Windows1256}, {1257, charmap.Windows1257},
		{1258, charmap.Windows1258},
	}
	for _, w := range win {
		n := strconv.Itoa(w.page)
		add(&Charset{name: "windows-" + n, table: byteTable(w.cm)}, "WINDOWS-"+n, "CP"+n, "CP-"+n, "WINDOWS"+n)
	}
}

func byteTable(cm *charmap.Charmap) *[256]rune {
	t := new([256]rune)
	for i := range t {
		t[i] = cm.DecodeByte(byte(i))
	}
	return t
}

// LookupCharset returns the charset an MSH-18 value or a configuration
// option names, ignoring case and surrounding spaces. It fails on a
// charset that is unknown or whose bytes cannot be split as ASCII
// (UTF-16, the ISO 2022 and multi-byte Asian sets).
func LookupCharset(name string) (*Charset, error) {
	key := strings.ToUpper(strings.TrimSpace(name))
	if c, ok := charsets[key]; ok {
		return c, nil
	}
	return nil, fmt.Errorf("unknown or unsupported character set %q", name)
}

// check returns the offset of the first byte of b that is not valid in
// c, or -1.
func (c *Charset) check(b []byte) int {
	if c.table == nil {
		if utf8.Valid(b) {
			return -1
		}
		for i := 0; i < len(b); {
			r, n := utf8.DecodeRune(b[i:])
			if r == utf8.RuneError && n <= 1 {
				return i
			}
			i += n
		}
		return -1
	}
	for i, x := range b {
		if x >= utf8.RuneSelf && c.table[x] == utf8.RuneError {
			return i
		}
	}
	return -1
}

// appendDecode appends b, in charset c, to dst as UTF-8. Bytes not valid
// in c are kept out of the output by the caller's prior check; here an
// undefined single byte becomes nothing rather than U+FFFD.
func (c *Charset) appendDecode(dst, b []byte) []byte {
	if c.table == nil {
		return append(dst, b...)
	}
	for _, x := range b {
		if x < utf8.RuneSelf {
			dst = append(dst, x)
			continue
		}
		if r := c.table[x]; r != utf8.RuneError {
			dst = utf8.AppendRune(dst, r)
		}
	}
	return dst
}

// valid reports whether every byte of b decodes in c.
func (c *Charset) valid(b []byte) bool { return c.check(b) < 0 }
