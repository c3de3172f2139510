package csv

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// textEncoding turns field bytes into UTF-8 text. The CSV syntax
// (delimiters, quotes, line ends) is ASCII in every supported encoding, so
// records are split on the file's own bytes and only field contents are
// decoded; rejects keep the bytes exactly as they are in the file.
type textEncoding struct {
	name string
	// table maps each byte to its rune for a single-byte charset; nil
	// for UTF-8.
	table *[256]rune
}

var bom = []byte{0xEF, 0xBB, 0xBF}

func lookupEncoding(name string) (textEncoding, error) {
	switch strings.ToLower(strings.ReplaceAll(name, "_", "-")) {
	case "", "utf-8", "utf8":
		return textEncoding{name: "utf-8"}, nil
	case "windows-1252", "cp1252":
		return textEncoding{name: "windows-1252", table: byteTable(charmap.Windows1252)}, nil
	case "iso-8859-1", "latin1", "latin-1", "iso8859-1":
		return textEncoding{name: "iso-8859-1", table: byteTable(charmap.ISO8859_1)}, nil
	}
	return textEncoding{}, fmt.Errorf("csv: encoding: %q is not one of utf-8, windows-1252, iso-8859-1", name)
}

func byteTable(cm *charmap.Charmap) *[256]rune {
	var t [256]rune
	for i := range t {
		t[i] = cm.DecodeByte(byte(i))
	}
	return &t
}

// decode returns s as UTF-8 text, or an error if a UTF-8 field is not
// valid UTF-8. ASCII text is returned as is, without copying.
func (e textEncoding) decode(s string) (string, error) {
	if e.table == nil {
		// One pass: ValidString has its own fast path for ASCII.
		if !utf8.ValidString(s) {
			return "", fmt.Errorf("%q is not valid UTF-8 (set encoding: windows-1252 or iso-8859-1 if the file is not UTF-8)", s)
		}
		return s, nil
	}
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return s, nil
	}
	var b strings.Builder
	b.Grow(len(s) + len(s)/2)
	for i := 0; i < len(s); i++ {
		b.WriteRune(e.table[s[i]])
	}
	return b.String(), nil
}
