package hl7

import (
	"fmt"
	"strings"
	"time"

	"github.com/healthanchor/healthanchor/connectors"
	"github.com/healthanchor/healthanchor/schemas"
)

// Mapper turns parsed messages into canonical rows: every PID into
// patient/1 (ADT events also into encounter/1), ORU^R01 into
// observation/1, the orders of ORM^O01, OML^O21 and ORU^R01 into order/1,
// VXU^V04 into immunization/1, and DG1, PRB, AL1 and IAM segments of any
// message with a patient into condition/1 and allergy/1. docs/hl7.md
// lists every column's source field.
type Mapper struct {
	// Source fills the source column; empty means MSH-4 (its namespace
	// id, else its universal id), or DefaultSource when MSH-4 is empty.
	Source string
	// Location is the zone of timestamps without a UTC offset (nil: UTC).
	Location *time.Location
	// PreferIDType picks, among the PID-3 repetitions, the first whose
	// identifier type code (CX-5) matches (e.g. "MR"); empty, or no match,
	// means the first repetition with an id.
	PreferIDType string

	recs []connectors.Record
	// Per message: the patient id of each PID segment looked up, and the
	// rows handed out (reused by the next message).
	ids   []pidID
	rows  []schemas.Row
	nrows int
	// a holds the strings of the rows.
	a arena
}

// pidID is the patient id of the PID segment at index seg.
type pidID struct {
	seg int
	id  string
}

// DefaultSource fills the source column when neither the job nor MSH-4
// names the source.
const DefaultSource = "hl7"

// ADTEvents are the ADT trigger events mapped to patient/1 and
// encounter/1. VisitEvents of them need a visit (PV1 with PV1-19).
var (
	ADTEvents   = []string{"A01", "A02", "A03", "A04", "A05", "A08", "A11", "A13", "A28", "A31", "A40"}
	VisitEvents = []string{"A01", "A02", "A03", "A04", "A11", "A13"}
)

// MappedTypes are the message types other than ADT that have a mapping
// of their own; any other message with a PID gives its patient rows (and
// its diagnoses and allergies) only.
var MappedTypes = []string{"ORU^R01", "ORM^O01", "OML^O21", "VXU^V04"}

// Map returns the rows of message m, whose source_ref starts with ref
// ("file#index/control-id"); rows below the message add the segment they
// come from, e.g. "/OBX<n>", n counting the message's OBX segments from
// 1. The records and their rows are valid until the next call (the
// strings in them stay valid). A message that cannot be mapped returns an
// *InputError naming the field, and no rows.
func (mp *Mapper) Map(m *Message, ref string) ([]connectors.Record, error) {
	mp.recs, mp.ids, mp.nrows = mp.recs[:0], mp.ids[:0], 0
	msgType := m.Field("MSH", 9).Rep(1)
	code, trigger := mp.str(msgType.Comp(1)), mp.str(msgType.Comp(2))
	source := mp.Source
	if source == "" {
		hd := m.Field("MSH", 4).Rep(1)
		if source = mp.str(hd.Comp(1)); source == "" {
			source = mp.str(hd.Comp(2))
		}
		if source == "" {
			source = DefaultSource
		}
	}
	if code == "ADT" && trigger == "" {
		trigger = mp.str(m.Field("EVN", 1))
	}
	typ := code
	if trigger != "" {
		typ = mp.a.concat(code, "^", trigger)
	}
	if err := mp.mapTyped(m, code, trigger, typ, source, ref); err != nil {
		mp.recs = mp.recs[:0]
		return nil, err
	}
	return mp.recs, nil
}

// mapTyped dispatches on the message type: the rows of the type's own
// mapping, then the diagnoses and allergies of every patient.
func (mp *Mapper) mapTyped(m *Message, code, trigger, typ, source, ref string) error {
	var err error
	switch {
	case code == "ADT" && contains(ADTEvents, trigger):
		err = mp.adt(m, trigger, source, ref)
	case typ == "ORU^R01":
		if err = mp.patients(m, 0, source, ref); err == nil {
			if err = mp.oru(m, source, ref); err == nil {
				err = mp.orders(m, typ, source, ref)
			}
		}
	case typ == "ORM^O01" || typ == "OML^O21":
		if err = mp.requirePID(m, typ); err == nil {
			if err = mp.patients(m, 0, source, ref); err == nil {
				err = mp.orders(m, typ, source, ref)
			}
		}
	case typ == "VXU^V04":
		if err = mp.requirePID(m, typ); err == nil {
			if err = mp.patients(m, 0, source, ref); err == nil {
				err = mp.immunizations(m, source, ref)
			}
		}
	default:
		if typ == "" {
			return inputErrorf("MSH-9: message type is required")
		}
		if _, ok := m.Find("PID", 1); !ok {
			return inputErrorf("MSH-9: %s is not mapped and has no PID segment (mapped: ADT %s; %s; any message with a PID gives its patient)",
				typ, strings.Join(ADTEvents, ", "), strings.Join(MappedTypes, ", "))
		}
		err = mp.patients(m, 0, source, ref)
	}
	if err != nil {
		return err
	}
	return mp.clinical(m, source, ref)
}

// requirePID rejects a message of type typ that has no PID segment.
func (mp *Mapper) requirePID(m *Message, typ string) error {
	if _, ok := m.Find("PID", 1); !ok {
		return inputErrorf("PID: %s has no PID segment", typ)
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (mp *Mapper) loc() *time.Location {
	if mp.Location == nil {
		return time.UTC
	}
	return mp.Location
}

func (mp *Mapper) emit(s *schemas.Schema, row schemas.Row, ref string) {
	mp.recs = append(mp.recs, connectors.Record{SourceRef: ref, Schema: s, Row: row})
}

// newRow returns an empty row of schema s with its source and source_ref
// set, as s.NewRow does; the rows of a message are reused by the next.
func (mp *Mapper) newRow(s *schemas.Schema, source, ref string) schemas.Row {
	if mp.nrows == len(mp.rows) {
		mp.rows = append(mp.rows, nil)
	}
	row := mp.rows[mp.nrows]
	if n := len(s.Fields); cap(row) < n {
		row = make(schemas.Row, n)
	} else {
		row = row[:n]
		clear(row)
	}
	mp.rows[mp.nrows] = row
	mp.nrows++
	row[schemas.IdxSchema] = schemas.TextValue(s.ID())
	row[schemas.IdxSource] = schemas.TextValue(source)
	row[schemas.IdxSourceRef] = schemas.TextValue(ref)
	return row
}

// str returns v decoded, as v.String does, without allocating a string
// of its own.
func (mp *Mapper) str(v Value) string { return mp.a.value(v) }

// text returns v decoded, or Null when it is absent or an explicit null.
func (mp *Mapper) text(v Value) schemas.Value { return schemas.OptText(mp.a.value(v)) }

// ref returns the source_ref of a row below a message: base + "/" + the
// segment id + n.
func (mp *Mapper) ref(base, seg string, n int) string { return mp.a.ref(base, seg, n) }

// fieldRef names a field for a reason, formatted only when one is needed.
type fieldRef struct {
	seg   string
	occ   int
	field int
}

func (r fieldRef) String() string {
	if r.occ > 1 {
		return fmt.Sprintf("%s@%d-%d", r.seg, r.occ, r.field)
	}
	return fmt.Sprintf("%s-%d", r.seg, r.field)
}

// timestamp converts a DTM at path (for the reason) to a UTC timestamp;
// spaces padding the value are ignored.
func (mp *Mapper) timestamp(v Value, path fieldRef) (schemas.Value, error) {
	s := strings.TrimSpace(mp.str(v.Rep(1).Comp(1)))
	if s == "" {
		return schemas.Null, nil
	}
	t, err := parseDTM(s, mp.loc())
	if err != nil {
		return schemas.Null, inputErrorf("%s: %s", path, err)
	}
	return schemas.TimestampValue(t), nil
}

// date converts a DT (or the date of a DTM) at path to a date; spaces
// padding the value are ignored.
func (mp *Mapper) date(v Value, path fieldRef) (schemas.Value, error) {
	s := strings.TrimSpace(mp.str(v.Rep(1).Comp(1)))
	if s == "" {
		return schemas.Null, nil
	}
	t, err := parseDate(s)
	if err != nil {
		return schemas.Null, inputErrorf("%s: %s", path, err)
	}
	return schemas.DateValue(t), nil
}

// joinComps returns the decoded components of a repetition from first to
// last, joined with "^" and without trailing empty ones; subcomponents
// are joined with "&".
func (mp *Mapper) joinComps(v Value, first, last int) string {
	mp.a.begin(len(v.raw))
	mp.a.buf = appendComps(mp.a.buf, v, first, last)
	return mp.a.end()
}

// appendComps appends joinComps(v, first, last) to buf.
func appendComps(buf []byte, v Value, first, last int) []byte {
	if !v.present || len(v.raw) == 0 {
		return buf
	}
	m := v.m
	keep := len(buf) // length of buf up to the last non-empty component
	for c := first; c <= last; c++ {
		comp := v.Comp(c)
		if !comp.present {
			break
		}
		if c > first {
			buf = append(buf, '^')
		}
		for s, sub := 1, comp.Sub(1); sub.present; s, sub = s+1, comp.Sub(s+1) {
			if s > 1 {
				buf = append(buf, '&')
			}
			if sub.Presence() == Present {
				buf = appendUnescaped(buf, sub.raw, &m.delims, m.charset)
			}
		}
		if len(comp.raw) > 0 && comp.Presence() == Present {
			keep = len(buf)
		}
	}
	return buf[:keep]
}

func segPath(s Segment, occ, field int) fieldRef {
	return fieldRef{seg: s.ID(), occ: occ, field: field}
}
