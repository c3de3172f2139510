package hl7

import (
	"strconv"
	"strings"

	"github.com/healthanchor/healthanchor/schemas"
)

// Column indexes, looked up once.
var (
	pat = struct {
		id, family, given, birth, sex, address, city, postal, country, phone, death, updated int
	}{
		col(schemas.Patient, "patient_id"), col(schemas.Patient, "family_name"), col(schemas.Patient, "given_name"),
		col(schemas.Patient, "birth_date"), col(schemas.Patient, "sex"), col(schemas.Patient, "address"),
		col(schemas.Patient, "city"), col(schemas.Patient, "postal_code"), col(schemas.Patient, "country"),
		col(schemas.Patient, "phone"), col(schemas.Patient, "death_date"), col(schemas.Patient, "updated_at"),
	}
	enc = struct {
		id, patient, class, location, attending, admit, discharge, event int
	}{
		col(schemas.Encounter, "encounter_id"), col(schemas.Encounter, "patient_id"), col(schemas.Encounter, "class"),
		col(schemas.Encounter, "location"), col(schemas.Encounter, "attending"), col(schemas.Encounter, "admit_time"),
		col(schemas.Encounter, "discharge_time"), col(schemas.Encounter, "event_type"),
	}
)

func col(s *schemas.Schema, name string) int {
	i := s.Index(name)
	if i < 0 {
		panic("hl7: schema " + s.ID() + " has no column " + name)
	}
	return i
}

// adt maps an ADT event: one patient/1 row per PID (A40 may hold several
// PID/MRG groups; the merge is recorded as the surviving patient's row,
// not applied), and one encounter/1 row when the message has a visit.
func (mp *Mapper) adt(m *Message, event, source, ref string) error {
	if _, ok := m.Find("PID", 1); !ok {
		return inputErrorf("PID: ADT^%s has no PID segment", event)
	}
	limit := 1
	if event == "A40" {
		limit = 0
	}
	if err := mp.patients(m, limit, source, ref); err != nil {
		return err
	}
	firstID := mp.recs[0].Row[pat.id].Str
	if event == "A40" {
		return nil
	}
	pv1, ok := m.Find("PV1", 1)
	visit := pv1.Field(19).Rep(1).Comp(1)
	if !ok || visit.IsEmpty() {
		if contains(VisitEvents, event) {
			if !ok {
				return inputErrorf("PV1: ADT^%s has no PV1 segment", event)
			}
			return inputErrorf("PV1-19: visit number is required for ADT^%s", event)
		}
		return nil
	}
	row := schemas.Encounter.NewRow()
	row[schemas.IdxSource] = schemas.TextValue(source)
	row[schemas.IdxSourceRef] = schemas.TextValue(ref)
	row[enc.id] = text(visit)
	row[enc.patient] = schemas.TextValue(firstID)
	row[enc.class] = text(pv1.Field(2).Rep(1).Comp(1))
	if loc := joinComps(pv1.Field(3).Rep(1), 1, 4); loc != "" {
		row[enc.location] = schemas.TextValue(loc)
	}
	row[enc.attending] = schemas.OptText(person(pv1.Field(7).Rep(1)))
	var err error
	if row[enc.admit], err = mp.timestamp(pv1.Field(44), fieldRef{"PV1", 1, 44}); err != nil {
		return err
	}
	if row[enc.discharge], err = mp.timestamp(pv1.Field(45), fieldRef{"PV1", 1, 45}); err != nil {
		return err
	}
	row[enc.event] = schemas.TextValue(event)
	mp.emit(schemas.Encounter, row, ref)
	return nil
}

// patients emits one patient/1 row per PID segment of the message, the
// first limit of them (0: all), in order. The first row's source_ref is
// ref; the k-th further one adds "/PID<k>". This is the one PID mapping
// of every message type.
func (mp *Mapper) patients(m *Message, limit int, source, ref string) error {
	k := 0
	for i := 0; i < m.NumSegments(); i++ {
		pid := m.Segment(i)
		if pid.ID() != "PID" {
			continue
		}
		if k++; limit > 0 && k > limit {
			break
		}
		r := ref
		if k > 1 {
			r = ref + "/PID" + strconv.Itoa(k)
		}
		row, err := mp.patient(m, pid, k, source, r)
		if err != nil {
			return err
		}
		mp.emit(schemas.Patient, row, r)
	}
	return nil
}

// patient maps the k-th PID segment.
func (mp *Mapper) patient(m *Message, pid Segment, k int, source, ref string) (schemas.Row, error) {
	p := func(field int) fieldRef { return segPath(pid, k, field) }
	row := schemas.Patient.NewRow()
	row[schemas.IdxSource] = schemas.TextValue(source)
	row[schemas.IdxSourceRef] = schemas.TextValue(ref)
	id := mp.patientID(pid)
	if id == "" {
		return nil, inputErrorf("%s: patient identifier is required", p(3))
	}
	row[pat.id] = schemas.TextValue(id)
	name := pickName(pid.Field(5))
	row[pat.family] = text(name.Comp(1).Sub(1))
	row[pat.given] = text(name.Comp(2))
	var err error
	if row[pat.birth], err = date(pid.Field(7), p(7)); err != nil {
		return nil, err
	}
	if row[pat.sex], err = sex(pid.Field(8), p(8)); err != nil {
		return nil, err
	}
	addr := pid.Field(11).Rep(1)
	street := addr.Comp(1).Sub(1).String()
	if other := addr.Comp(2).String(); other != "" {
		if street != "" {
			street += ", "
		}
		street += other
	}
	row[pat.address] = schemas.OptText(street)
	row[pat.city] = text(addr.Comp(3))
	row[pat.postal] = text(addr.Comp(5))
	row[pat.country] = text(addr.Comp(6))
	row[pat.phone] = schemas.OptText(phone(pid.Field(13).Rep(1)))
	if row[pat.death], err = date(pid.Field(29), p(29)); err != nil {
		return nil, err
	}
	updated, path := pid.Field(33), p(33)
	if updated.IsEmpty() {
		if evn, ok := m.Find("EVN", 1); ok {
			updated, path = evn.Field(2), fieldRef{"EVN", 1, 2}
		}
	}
	if updated.IsEmpty() {
		updated, path = m.Field("MSH", 7), fieldRef{"MSH", 1, 7}
	}
	if row[pat.updated], err = mp.timestamp(updated, path); err != nil {
		return nil, err
	}
	return row, nil
}

// patientID picks the identifier among the PID-3 repetitions (CX-1),
// preferring the configured identifier type (CX-5); PID-2, the external
// id of versions before 2.4, when PID-3 is empty.
func (mp *Mapper) patientID(pid Segment) string {
	ids := pid.Field(3)
	if mp.PreferIDType != "" {
		for r := 1; r <= ids.NumReps(); r++ {
			rep := ids.Rep(r)
			if strings.EqualFold(rep.Comp(5).String(), mp.PreferIDType) {
				if id := rep.Comp(1).String(); id != "" {
					return id
				}
			}
		}
	}
	for r := 1; r <= ids.NumReps(); r++ {
		if id := ids.Rep(r).Comp(1).String(); id != "" {
			return id
		}
	}
	return pid.Field(2).Rep(1).Comp(1).String()
}

// pickName returns the legal name (XPN-7 "L") among the PID-5
// repetitions, else the first.
func pickName(names Value) Value {
	for r := 2; r <= names.NumReps(); r++ {
		if names.Rep(r).Comp(7).String() == "L" && names.Rep(1).Comp(7).String() != "L" {
			return names.Rep(r)
		}
	}
	return names.Rep(1)
}

// sex maps administrative sex (table 0001) to F, M, O or U: A
// (ambiguous) and X (non-binary) to O, N (not applicable) to U.
func sex(v Value, path fieldRef) (schemas.Value, error) {
	s := v.Rep(1).Comp(1).String()
	switch strings.ToUpper(strings.TrimSpace(s)) {
	case "":
		return schemas.Null, nil
	case "F":
		return schemas.TextValue("F"), nil
	case "M":
		return schemas.TextValue("M"), nil
	case "O", "A", "X":
		return schemas.TextValue("O"), nil
	case "U", "N":
		return schemas.TextValue("U"), nil
	}
	return schemas.Null, inputErrorf("%s: %q is not an administrative sex (F, M, O, U, A, N, X)", path, s)
}

// phone returns XTN-1, else XTN-12 (unformatted), else the country,
// area, local number and extension (XTN-5 to XTN-8) joined by spaces.
func phone(v Value) string {
	if s := v.Comp(1).String(); s != "" {
		return s
	}
	if s := v.Comp(12).String(); s != "" {
		return s
	}
	var parts []string
	for c := 5; c <= 8; c++ {
		if s := v.Comp(c).String(); s != "" {
			if c == 5 {
				s = "+" + strings.TrimPrefix(s, "+")
			}
			if c == 8 {
				s = "x" + s
			}
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, " ")
}

// person returns an XCN's id (XCN-1), else "Family, Given".
func person(v Value) string {
	if id := v.Comp(1).String(); id != "" {
		return id
	}
	family, given := v.Comp(2).Sub(1).String(), v.Comp(3).String()
	switch {
	case family != "" && given != "":
		return family + ", " + given
	case family != "":
		return family
	}
	return given
}
