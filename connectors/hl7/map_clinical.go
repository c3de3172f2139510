package hl7

import (
	"strings"

	"github.com/healthanchor/healthanchor/schemas"
)

var (
	cond = struct {
		id, patient, encounter, category, code, system, name, typ, status, onset, recorded int
	}{
		col(schemas.Condition, "condition_id"), col(schemas.Condition, "patient_id"), col(schemas.Condition, "encounter_id"),
		col(schemas.Condition, "category"), col(schemas.Condition, "code"), col(schemas.Condition, "code_system"),
		col(schemas.Condition, "name"), col(schemas.Condition, "type"), col(schemas.Condition, "status"),
		col(schemas.Condition, "onset_at"), col(schemas.Condition, "recorded_at"),
	}
	alg = struct {
		id, patient, code, system, name, typ, severity, reaction, identified int
	}{
		col(schemas.Allergy, "allergy_id"), col(schemas.Allergy, "patient_id"), col(schemas.Allergy, "code"),
		col(schemas.Allergy, "code_system"), col(schemas.Allergy, "name"), col(schemas.Allergy, "type"),
		col(schemas.Allergy, "severity"), col(schemas.Allergy, "reaction"), col(schemas.Allergy, "identified_at"),
	}
)

// Condition categories, as FHIR names them.
const (
	categoryDiagnosis = "encounter-diagnosis"
	categoryProblem   = "problem-list-item"
)

// clinicalCounts numbers the clinical segments of a message for refs.
type clinicalCounts struct{ pid, dg1, prb, al1, iam int }

// clinical maps the diagnoses (DG1, PRB) and allergies (AL1, IAM) of any
// message, each to the patient of the last PID before it: one
// condition/1 or allergy/1 row per segment. Such a segment before any PID
// is a reject.
func (mp *Mapper) clinical(m *Message, source, ref string) error {
	var (
		n         clinicalCounts
		patientID string
		encounter string
		lookedUp  bool
	)
	for i := 0; i < m.NumSegments(); i++ {
		s := m.Segment(i)
		var id string // a constant, so that naming the segment costs nothing
		switch s.ID() {
		case "PID":
			n.pid++
			patientID = mp.patientID(s)
			continue
		case "DG1":
			n.dg1++
			id = "DG1"
		case "PRB":
			n.prb++
			id = "PRB"
		case "AL1":
			n.al1++
			id = "AL1"
		case "IAM":
			n.iam++
			id = "IAM"
		default:
			continue
		}
		k := n.count(id)
		if n.pid == 0 {
			return inputErrorf("PID: no PID segment before %s %d", id, k)
		}
		if patientID == "" {
			return inputErrorf("%s: patient identifier is required", fieldRef{"PID", n.pid, 3})
		}
		if !lookedUp {
			encounter, lookedUp = mp.encounterID(m), true
		}
		r := mp.ref(ref, id, k)
		var err error
		switch id {
		case "DG1", "PRB":
			err = mp.condition(s, k, patientID, encounter, source, r)
		default:
			err = mp.allergy(s, k, patientID, source, r)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (n clinicalCounts) count(id string) int {
	switch id {
	case "DG1":
		return n.dg1
	case "PRB":
		return n.prb
	case "AL1":
		return n.al1
	}
	return n.iam
}

// condition maps the k-th DG1 or PRB segment.
func (mp *Mapper) condition(s Segment, k int, patientID, encounter, source, r string) error {
	p := func(field int) fieldRef { return segPath(s, k, field) }
	row := mp.newRow(schemas.Condition, source, r)
	row[cond.patient] = schemas.TextValue(patientID)
	row[cond.encounter] = schemas.OptText(encounter)
	code, name, system := coded(s.Field(3).Rep(1))
	row[cond.code], row[cond.name], row[cond.system] = mp.text(code), mp.text(name), mp.text(system)
	var err error
	if s.ID() == "DG1" {
		if !row[cond.name].Set {
			row[cond.name] = mp.text(s.Field(4).Rep(1).Comp(1))
		}
		row[cond.id] = mp.text(s.Field(20).Rep(1).Comp(1))
		row[cond.category] = schemas.TextValue(categoryDiagnosis)
		row[cond.typ] = mp.text(s.Field(6).Rep(1).Comp(1))
		if row[cond.onset], err = mp.timestamp(s.Field(5), p(5)); err != nil {
			return err
		}
		if row[cond.recorded], err = mp.timestamp(s.Field(19), p(19)); err != nil {
			return err
		}
	} else {
		row[cond.id] = mp.text(s.Field(4).Rep(1).Comp(1))
		row[cond.category] = schemas.TextValue(categoryProblem)
		row[cond.status] = mp.text(s.Field(14).Rep(1).Comp(1))
		if row[cond.onset], err = mp.timestamp(s.Field(16), p(16)); err != nil {
			return err
		}
		recorded, path := s.Field(7), p(7)
		if recorded.IsEmpty() {
			recorded, path = s.Field(2), p(2)
		}
		if row[cond.recorded], err = mp.timestamp(recorded, path); err != nil {
			return err
		}
	}
	if !row[cond.code].Set && !row[cond.name].Set {
		return inputErrorf("%s: a diagnosis code or text is required", p(3))
	}
	mp.emit(schemas.Condition, row, r)
	return nil
}

// allergy maps the k-th AL1 or IAM segment; both share fields 2 to 5.
func (mp *Mapper) allergy(s Segment, k int, patientID, source, r string) error {
	p := func(field int) fieldRef { return segPath(s, k, field) }
	row := mp.newRow(schemas.Allergy, source, r)
	row[alg.patient] = schemas.TextValue(patientID)
	code, name, system := coded(s.Field(3).Rep(1))
	if code.IsEmpty() && name.IsEmpty() {
		return inputErrorf("%s: allergen code or text is required", p(3))
	}
	row[alg.code], row[alg.name], row[alg.system] = mp.text(code), mp.text(name), mp.text(system)
	row[alg.typ] = mp.text(s.Field(2).Rep(1).Comp(1))
	row[alg.severity] = mp.text(s.Field(4).Rep(1).Comp(1))
	row[alg.reaction] = schemas.OptText(mp.reactions(s.Field(5)))
	identified, path := s.Field(6), p(6)
	if s.ID() == "IAM" {
		row[alg.id] = mp.text(s.Field(7).Rep(1).Comp(1))
		identified, path = s.Field(11), p(11)
	}
	var err error
	if row[alg.identified], err = mp.date(identified, path); err != nil {
		return err
	}
	mp.emit(schemas.Allergy, row, r)
	return nil
}

// reactions flattens AL1-5/IAM-5 (ST in older versions, CWE later): each
// repetition's text (component 2), else its first component, joined
// with "~".
func (mp *Mapper) reactions(v Value) string {
	var parts []string
	for r := 1; r <= v.NumReps(); r++ {
		rep := v.Rep(r)
		s := mp.str(rep.Comp(2))
		if s == "" {
			s = mp.str(rep.Comp(1))
		}
		if s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, "~")
}
