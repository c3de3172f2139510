package hl7

import "fmt"

// Delimiters are a message's encoding characters, taken from MSH-1 and
// MSH-2. Truncation is 0 when MSH-2 does not declare one.
type Delimiters struct {
	Field        byte // MSH-1, usually '|'
	Component    byte // MSH-2[0], usually '^'
	Repetition   byte // MSH-2[1], usually '~'
	Escape       byte // MSH-2[2], usually '\'
	Subcomponent byte // MSH-2[3], usually '&'
	Truncation   byte // MSH-2[4] when present (v2.7+, accepted in any version), usually '#'
}

// DefaultDelimiters are the encoding characters the standard recommends.
var DefaultDelimiters = Delimiters{Field: '|', Component: '^', Repetition: '~', Escape: '\\', Subcomponent: '&'}

// String returns MSH-1 followed by MSH-2, as the characters appear on the wire.
func (d Delimiters) String() string {
	b := []byte{d.Field, d.Component, d.Repetition, d.Escape, d.Subcomponent}
	if d.Truncation != 0 {
		b = append(b, d.Truncation)
	}
	return string(b)
}

// parseDelimiters reads MSH-1 (fs) and MSH-2 (enc). MSH-2 must hold 4
// distinct characters, or 5 with the truncation character; none may be
// the field separator, a letter, a digit, a space or a line break.
func parseDelimiters(fs byte, enc []byte) (Delimiters, error) {
	if !delimOK(fs) {
		return Delimiters{}, fmt.Errorf("MSH-1: %q cannot be the field separator", fs)
	}
	if len(enc) != 4 && len(enc) != 5 {
		return Delimiters{}, fmt.Errorf("MSH-2: encoding characters %q must be 4 characters (5 with the truncation character), not %d", enc, len(enc))
	}
	var seen [256]bool
	seen[fs] = true
	for _, c := range enc {
		if !delimOK(c) {
			return Delimiters{}, fmt.Errorf("MSH-2: %q cannot be an encoding character (in %q)", c, enc)
		}
		if seen[c] {
			return Delimiters{}, fmt.Errorf("MSH-2: encoding characters %q repeat %q (MSH-1 is %q)", enc, c, fs)
		}
		seen[c] = true
	}
	d := Delimiters{Field: fs, Component: enc[0], Repetition: enc[1], Escape: enc[2], Subcomponent: enc[3]}
	if len(enc) == 5 {
		d.Truncation = enc[4]
	}
	return d, nil
}

func delimOK(c byte) bool {
	switch {
	case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		return false
	case c <= ' ', c >= 0x7F:
		return false
	}
	return true
}
