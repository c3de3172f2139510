package hl7

import (
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
	row := mp.newRow(schemas.Encounter, source, ref)
	row[enc.id] = mp.text(visit)
	row[enc.patient] = schemas.TextValue(firstID)
	row[enc.class] = mp.text(pv1.Field(2).Rep(1).Comp(1))
	if loc := mp.joinComps(pv1.Field(3).Rep(1), 1, 4); loc != "" {
		row[enc.location] = schemas.TextValue(loc)
	}
	row[enc.attending] = schemas.OptText(mp.person(pv1.Field(7).Rep(1)))
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
			r = mp.ref(ref, "PID", k)
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
	row := mp.newRow(schemas.Patient, source, ref)
	id := mp.patientID(pid)
	if id == "" {
		return nil, inputErrorf("%s: patient identifier is required", p(3))
	}
	row[pat.id] = schemas.TextValue(id)
	name := mp.pickName(pid.Field(5))
	row[pat.family] = mp.text(name.Comp(1).Sub(1))
	row[pat.given] = mp.text(name.Comp(2))
	var err error
	if row[pat.birth], err = mp.date(pid.Field(7), p(7)); err != nil {
		return nil, err
	}
	if row[pat.sex], err = mp.sex(pid.Field(8), p(8)); err != nil {
		return nil, err
	}
	var addr [6]Value // XAD-1 to XAD-6
	pid.Field(11).Rep(1).comps(addr[:])
	row[pat.address] = schemas.OptText(mp.street(addr[0].Sub(1), addr[1]))
	row[pat.city] = mp.text(addr[2])
	row[pat.postal] = mp.text(addr[4])
	row[pat.country] = mp.text(addr[5])
	row[pat.phone] = schemas.OptText(mp.phone(pid.Field(13).Rep(1)))
	if row[pat.death], err = mp.date(pid.Field(29), p(29)); err != nil {
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

// patientID returns the patient id of a PID segment (see
// findPatientID), looked up once per message.
func (mp *Mapper) patientID(pid Segment) string {
	for _, c := range mp.ids {
		if c.seg == pid.i {
			return c.id
		}
	}
	id := mp.findPatientID(pid)
	mp.ids = append(mp.ids, pidID{seg: pid.i, id: id})
	return id
}

// findPatientID picks the identifier among the PID-3 repetitions (CX-1),
// preferring the configured identifier type (CX-5); PID-2, the external
// id of versions before 2.4, when PID-3 is empty.
func (mp *Mapper) findPatientID(pid Segment) string {
	ids := pid.Field(3)
	if mp.PreferIDType != "" {
		for r := 1; r <= ids.NumReps(); r++ {
			rep := ids.Rep(r)
			if strings.EqualFold(mp.str(rep.Comp(5)), mp.PreferIDType) {
				if id := mp.str(rep.Comp(1)); id != "" {
					return id
				}
			}
		}
	}
	for r := 1; r <= ids.NumReps(); r++ {
		if id := mp.str(ids.Rep(r).Comp(1)); id != "" {
			return id
		}
	}
	return mp.str(pid.Field(2).Rep(1).Comp(1))
}

// pickName returns the legal name (XPN-7 "L") among the PID-5
// repetitions, else the first.
func (mp *Mapper) pickName(names Value) Value {
	for r := 2; r <= names.NumReps(); r++ {
		if mp.str(names.Rep(r).Comp(7)) == "L" && mp.str(names.Rep(1).Comp(7)) != "L" {
			return names.Rep(r)
		}
	}
	return names.Rep(1)
}

// street returns XAD-1.1 and XAD-2 (street and other designation),
// joined by ", " when both are present.
func (mp *Mapper) street(streetV, otherV Value) string {
	street, other := mp.str(streetV), mp.str(otherV)
	switch {
	case street == "":
		return other
	case other == "":
		return street
	}
	return mp.a.concat(street, ", ", other)
}

// sex maps administrative sex (table 0001) to F, M, O or U: A
// (ambiguous) and X (non-binary) to O, N (not applicable) to U.
func (mp *Mapper) sex(v Value, path fieldRef) (schemas.Value, error) {
	s := mp.str(v.Rep(1).Comp(1))
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
func (mp *Mapper) phone(v Value) string {
	var xtn [12]Value
	v.comps(xtn[:])
	if s := mp.str(xtn[0]); s != "" {
		return s
	}
	if s := mp.str(xtn[11]); s != "" {
		return s
	}
	var parts [7]string // up to four values and the spaces between them
	n := 0
	for c := 5; c <= 8; c++ {
		s := mp.str(xtn[c-1])
		if s == "" {
			continue
		}
		switch c {
		case 5:
			s = mp.a.concat("+", strings.TrimPrefix(s, "+"))
		case 8:
			s = mp.a.concat("x", s)
		}
		if n > 0 {
			parts[n] = " "
			n++
		}
		parts[n] = s
		n++
	}
	return mp.a.concat(parts[:n]...)
}

// person returns an XCN's id (XCN-1), else "Family, Given".
func (mp *Mapper) person(v Value) string {
	if id := mp.str(v.Comp(1)); id != "" {
		return id
	}
	family, given := mp.str(v.Comp(2).Sub(1)), mp.str(v.Comp(3))
	switch {
	case family != "" && given != "":
		return mp.a.concat(family, ", ", given)
	case family != "":
		return family
	}
	return given
}
