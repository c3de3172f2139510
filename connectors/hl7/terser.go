package hl7

import (
	"fmt"
	"strconv"
	"strings"
)

// Path addresses one value of a message, HAPI Terser style:
//
//	SEG[@k]-F[[r]][.c[.s]]
//
// all 1-based: @k is the k-th segment of that name (default 1), [r] the
// field repetition (default 1), and an omitted component or subcomponent
// means the first. Examples: PID-5.1, PID-3[2].4.2, OBX@2-5, ZPI-1.
type Path struct {
	Segment    string
	Occurrence int
	Field      int
	Rep        int
	Comp       int
	Sub        int
}

// ParsePath parses a terser path.
func ParsePath(s string) (Path, error) {
	bad := func(why string) (Path, error) {
		return Path{}, fmt.Errorf("hl7: path %q: %s (want SEG[@k]-F[[r]][.c[.s]], e.g. PID-3[2].4.2)", s, why)
	}
	p := Path{Occurrence: 1, Rep: 1, Comp: 1, Sub: 1}
	seg, rest, ok := strings.Cut(s, "-")
	if !ok {
		return bad("no field number")
	}
	if name, occ, ok := strings.Cut(seg, "@"); ok {
		n, err := strconv.Atoi(occ)
		if err != nil || n < 1 {
			return bad("segment occurrence must be a number from 1")
		}
		seg, p.Occurrence = name, n
	}
	if len(seg) != 3 || !isIDChar(seg[0]) || !isIDChar(seg[1]) || !isIDChar(seg[2]) {
		return bad("segment name must be three upper-case letters or digits")
	}
	p.Segment = seg
	parts := strings.Split(rest, ".")
	if len(parts) > 3 {
		return bad("too many parts")
	}
	field := parts[0]
	if i := strings.IndexByte(field, '['); i >= 0 {
		if !strings.HasSuffix(field, "]") {
			return bad("unclosed repetition")
		}
		n, err := strconv.Atoi(field[i+1 : len(field)-1])
		if err != nil || n < 1 {
			return bad("repetition must be a number from 1")
		}
		field, p.Rep = field[:i], n
	}
	var err error
	if p.Field, err = strconv.Atoi(field); err != nil || p.Field < 1 {
		return bad("field must be a number from 1")
	}
	for i, dst := range []*int{&p.Comp, &p.Sub} {
		if len(parts) > i+1 {
			if *dst, err = strconv.Atoi(parts[i+1]); err != nil || *dst < 1 {
				return bad("component and subcomponent must be numbers from 1")
			}
		}
	}
	return p, nil
}

// MustParsePath is ParsePath for paths known to be valid; it panics otherwise.
func MustParsePath(s string) Path {
	p, err := ParsePath(s)
	if err != nil {
		panic(err)
	}
	return p
}

// String returns the path in its full form, e.g. "PID@1-3[2].4.2".
func (p Path) String() string {
	return fmt.Sprintf("%s@%d-%d[%d].%d.%d", p.Segment, p.Occurrence, p.Field, p.Rep, p.Comp, p.Sub)
}

// Get returns the value at p: Absent when the segment, field,
// repetition, component or subcomponent is not there.
func (m *Message) Get(p Path) Value {
	s, ok := m.Find(p.Segment, p.Occurrence)
	if !ok {
		return Value{}
	}
	return s.Field(p.Field).Rep(p.Rep).Comp(p.Comp).Sub(p.Sub)
}
