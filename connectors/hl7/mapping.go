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
// 1. The records are valid until the next call. A message that cannot be
// mapped returns an *InputError naming the field, and no rows.
func (mp *Mapper) Map(m *Message, ref string) ([]connectors.Record, error) {
	mp.recs = mp.recs[:0]
	code, trigger, _ := m.Type()
	source := mp.Source
	if source == "" {
		hd := m.Field("MSH", 4).Rep(1)
		if source = hd.Comp(1).String(); source == "" {
			source = hd.Comp(2).String()
		}
		if source == "" {
			source = DefaultSource
		}
	}
	if code == "ADT" && trigger == "" {
		trigger = m.Field("EVN", 1).String()
	}
	typ := code
	if trigger != "" {
		typ += "^" + trigger
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

// text returns v decoded, or Null when it is absent or an explicit null.
func text(v Value) schemas.Value { return schemas.OptText(v.String()) }

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
	s := strings.TrimSpace(v.Rep(1).Comp(1).String())
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
func date(v Value, path fieldRef) (schemas.Value, error) {
	s := strings.TrimSpace(v.Rep(1).Comp(1).String())
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
func joinComps(v Value, first, last int) string {
	if !v.present || len(v.raw) == 0 {
		return ""
	}
	m := v.m
	var buf []byte
	keep := 0 // length of buf up to the last non-empty component
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
	return string(buf[:keep])
}

func segPath(s Segment, occ, field int) fieldRef {
	return fieldRef{seg: s.ID(), occ: occ, field: field}
}
