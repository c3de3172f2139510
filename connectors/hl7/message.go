package hl7

import (
	"bytes"
)

// Message is one parsed HL7 v2 message: its delimiters and charset, and
// its segments as offsets over the message bytes. Values are decoded when
// they are asked for. A Message refers to the bytes it was parsed from;
// they must not change while it is in use.
type Message struct {
	raw      []byte
	delims   Delimiters
	charset  *Charset
	declared bool
	segs     []segment
	offs     []int32
	warnings []string
	scratch  []byte
}

// segment is one segment: its id, its line in the message (1-based) and
// the boundaries of its elements in Message.offs: element k (0 is the
// segment id) is raw[offs[f0+k] : offs[f0+k+1]-1].
type segment struct {
	id   [3]byte
	f0   int32
	nf   int32
	line int32
}

// Raw returns the message bytes as they were parsed.
func (m *Message) Raw() []byte { return m.raw }

// Delimiters returns the message's encoding characters (MSH-1, MSH-2).
func (m *Message) Delimiters() Delimiters { return m.delims }

// Charset returns the charset values are decoded from.
func (m *Message) Charset() *Charset { return m.charset }

// CharsetDeclared reports whether MSH-18 named the charset; when false,
// it was inferred (UTF-8, or the fallback with a warning).
func (m *Message) CharsetDeclared() bool { return m.declared }

// Warnings lists what was tolerated while parsing (an undeclared charset
// decoded with the fallback), for the log.
func (m *Message) Warnings() []string { return m.warnings }

// NumSegments is the number of segments, MSH included.
func (m *Message) NumSegments() int { return len(m.segs) }

// Segment returns the i-th segment (0-based, in message order).
func (m *Message) Segment(i int) Segment { return Segment{m: m, i: i} }

// Find returns the k-th (1-based) segment named id, in message order.
func (m *Message) Find(id string, k int) (Segment, bool) {
	if len(id) != 3 || k < 1 {
		return Segment{}, false
	}
	for i := range m.segs {
		s := &m.segs[i]
		if s.id[0] == id[0] && s.id[1] == id[1] && s.id[2] == id[2] {
			if k--; k == 0 {
				return Segment{m: m, i: i}, true
			}
		}
	}
	return Segment{}, false
}

// Field returns field n of the first segment named seg (Absent when
// there is none): a shorthand for Find(seg, 1) then Field(n).
func (m *Message) Field(seg string, n int) Value {
	s, ok := m.Find(seg, 1)
	if !ok {
		return Value{}
	}
	return s.Field(n)
}

// ControlID returns MSH-10, the message control id, decoded.
func (m *Message) ControlID() string { return m.Field("MSH", 10).String() }

// Type returns MSH-9: the message code ("ADT"), the trigger event ("A01")
// and the message structure ("ADT_A01"), each possibly empty.
func (m *Message) Type() (code, trigger, structure string) {
	f := m.Field("MSH", 9).Rep(1)
	return f.Comp(1).String(), f.Comp(2).String(), f.Comp(3).String()
}

// Segment is one segment of a message.
type Segment struct {
	m *Message
	i int
}

// ID returns the segment's name, e.g. "PID" or "ZPI".
func (s Segment) ID() string {
	id := s.m.segs[s.i].id
	if name := knownID(id); name != "" {
		return name
	}
	return string(id[:])
}

// knownID returns the name of the segments that mappings look at as a
// constant, so that naming them allocates nothing; "" for any other.
func knownID(id [3]byte) string {
	switch string(id[:]) {
	case "MSH":
		return "MSH"
	case "EVN":
		return "EVN"
	case "PID":
		return "PID"
	case "PD1":
		return "PD1"
	case "NK1":
		return "NK1"
	case "PV1":
		return "PV1"
	case "PV2":
		return "PV2"
	case "ORC":
		return "ORC"
	case "OBR":
		return "OBR"
	case "OBX":
		return "OBX"
	case "NTE":
		return "NTE"
	case "TQ1":
		return "TQ1"
	case "RXA":
		return "RXA"
	case "RXR":
		return "RXR"
	case "DG1":
		return "DG1"
	case "PRB":
		return "PRB"
	case "AL1":
		return "AL1"
	case "IAM":
		return "IAM"
	case "SPM":
		return "SPM"
	case "MRG":
		return "MRG"
	}
	return ""
}

// Line returns the segment's line in its message, from 1.
func (s Segment) Line() int { return int(s.m.segs[s.i].line) }

// NumFields is the number of the segment's last field present on the
// wire (trailing empty fields included).
func (s Segment) NumFields() int {
	n := int(s.m.segs[s.i].nf) - 1
	if s.isMSH() {
		n++
	}
	return n
}

// Raw returns the segment's bytes, without its terminator.
func (s Segment) Raw() []byte {
	sg := &s.m.segs[s.i]
	return s.m.raw[s.m.offs[sg.f0] : s.m.offs[sg.f0+sg.nf]-1]
}

func (s Segment) isMSH() bool { return s.m.segs[s.i].id == [3]byte{'M', 'S', 'H'} }

// Field returns field n (1-based). In MSH, field 1 is the field
// separator and field 2 the encoding characters, both taken literally.
func (s Segment) Field(n int) Value {
	if s.m == nil || n < 1 {
		return Value{}
	}
	m := s.m
	sg := &m.segs[s.i]
	e := n
	if s.isMSH() {
		switch n {
		case 1:
			return Value{m: m, raw: m.raw[3:4], present: true, literal: true}
		case 2:
			return m.element(sg, 1, true)
		}
		e = n - 1
	}
	return m.element(sg, e, false)
}

func (m *Message) element(sg *segment, e int, literal bool) Value {
	if e >= int(sg.nf) {
		return Value{}
	}
	k := int(sg.f0) + e
	return Value{m: m, raw: m.raw[m.offs[k] : m.offs[k+1]-1], present: true, literal: literal}
}

// Presence tells a value from an explicit null and from nothing.
type Presence uint8

// The three states of a value.
const (
	Absent  Presence = iota // not present: nothing between the delimiters, or no such field
	Null                    // explicit null: `""` on the wire, "delete this value"
	Present                 // a value
)

// String names the state.
func (p Presence) String() string {
	switch p {
	case Null:
		return "null"
	case Present:
		return "present"
	}
	return "absent"
}

// Value is a field, repetition, component or subcomponent of a message,
// as bytes between delimiters; decoding happens in String.
type Value struct {
	m       *Message
	raw     []byte
	present bool
	literal bool // MSH-1, MSH-2: never split, never unescaped
}

// Raw returns the value's bytes as on the wire (escapes not decoded).
func (v Value) Raw() []byte { return v.raw }

// Presence returns the value's state.
func (v Value) Presence() Presence {
	switch {
	case !v.present || len(v.raw) == 0:
		return Absent
	case len(v.raw) == 2 && v.raw[0] == '"' && v.raw[1] == '"' && !v.literal:
		return Null
	}
	return Present
}

// IsEmpty reports whether the value is absent or an explicit null.
func (v Value) IsEmpty() bool { return v.Presence() != Present }

// String returns the value decoded to UTF-8 (escapes, then charset); ""
// when it is absent or an explicit null.
func (v Value) String() string {
	if v.Presence() != Present {
		return ""
	}
	if v.plain() {
		return string(v.raw)
	}
	m := v.m
	m.scratch = appendUnescaped(m.scratch[:0], v.raw, &m.delims, m.charset)
	return string(m.scratch)
}

// appendDecoded appends the value decoded to UTF-8 to dst, as String
// returns it (nothing when it is absent or an explicit null).
func (v Value) appendDecoded(dst []byte) []byte {
	if v.Presence() != Present {
		return dst
	}
	if v.plain() {
		return append(dst, v.raw...)
	}
	return appendUnescaped(dst, v.raw, &v.m.delims, v.m.charset)
}

// plain reports whether the value decodes to its own bytes: literal, or
// without escapes and in UTF-8 or ASCII.
func (v Value) plain() bool {
	if v.literal {
		return true
	}
	m := v.m
	return bytes.IndexByte(v.raw, m.delims.Escape) < 0 && (m.charset.table == nil || isASCII(v.raw))
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}

// Rep returns repetition r (1-based) of a field.
func (v Value) Rep(r int) Value { return v.part(levelRep, r) }

// Comp returns component c (1-based) of a field repetition.
func (v Value) Comp(c int) Value { return v.part(levelComp, c) }

// Sub returns subcomponent s (1-based) of a component.
func (v Value) Sub(s int) Value { return v.part(levelSub, s) }

// comps sets dst[k] to component k+1 of a field repetition, in one pass
// (Absent past the last one), for mappings that read many of them.
func (v Value) comps(dst []Value) {
	clear(dst)
	if !v.present || len(dst) == 0 {
		return
	}
	if v.literal {
		dst[0] = v
		return
	}
	sep, b := v.m.delims.Component, v.raw
	start, k := 0, 0
	for j := 0; j < len(b); j++ {
		if b[j] != sep {
			continue
		}
		dst[k] = Value{m: v.m, raw: b[start:j], present: true}
		if k++; k == len(dst) {
			return
		}
		start = j + 1
	}
	dst[k] = Value{m: v.m, raw: b[start:], present: true}
}

// NumReps is the number of repetitions of a field (0 when absent).
func (v Value) NumReps() int { return v.count(levelRep) }

// NumComps is the number of components of a repetition (0 when absent).
func (v Value) NumComps() int { return v.count(levelComp) }

const (
	levelRep = iota
	levelComp
	levelSub
)

func (v Value) sep(level int) byte {
	switch level {
	case levelRep:
		return v.m.delims.Repetition
	case levelComp:
		return v.m.delims.Component
	}
	return v.m.delims.Subcomponent
}

func (v Value) count(level int) int {
	if !v.present || len(v.raw) == 0 {
		return 0
	}
	if v.literal {
		return 1
	}
	return bytes.Count(v.raw, []byte{v.sep(level)}) + 1
}

func (v Value) part(level, i int) Value {
	if !v.present || i < 1 {
		return Value{}
	}
	if v.literal {
		if i == 1 {
			return v
		}
		return Value{}
	}
	// One pass over the bytes: values are short, and a plain loop beats
	// a search call per delimiter.
	sep, b := v.sep(level), v.raw
	start, n := 0, 1
	for j := 0; j < len(b); j++ {
		if b[j] != sep {
			continue
		}
		if n == i {
			return Value{m: v.m, raw: b[start:j], present: true}
		}
		n++
		start = j + 1
	}
	if n < i {
		return Value{}
	}
	return Value{m: v.m, raw: b[start:], present: true}
}
