package hl7

import (
	"github.com/healthanchor/healthanchor/schemas"
)

var ord = struct {
	id, placer, filler, patient, encounter, control, status, result, code, system, name, provider, ordered, priority int
}{
	col(schemas.Order, "order_id"), col(schemas.Order, "placer_order_id"), col(schemas.Order, "filler_order_id"),
	col(schemas.Order, "patient_id"), col(schemas.Order, "encounter_id"), col(schemas.Order, "control"),
	col(schemas.Order, "status"), col(schemas.Order, "result_status"), col(schemas.Order, "code"),
	col(schemas.Order, "code_system"), col(schemas.Order, "name"), col(schemas.Order, "ordering_provider"),
	col(schemas.Order, "ordered_at"), col(schemas.Order, "priority"),
}

// orderWalk is the state of the walk over a message's order segments.
type orderWalk struct {
	mp                   *Mapper
	typ, source, ref     string
	encounter, patientID string
	orc, tq1             Segment
	hasORC, orcUsed      bool
	pidN, orcN, obrN     int
}

// orders maps the orders of ORM^O01, OML^O21 and ORU^R01 to order/1: one
// row per OBR (with the ORC before it), and one per ORC that no OBR
// follows. In ORU^R01 an OBR without any order number is no order (its
// results still map); in ORM and OML it is a reject, and so is a message
// without ORC or OBR.
func (mp *Mapper) orders(m *Message, typ, source, ref string) error {
	w := orderWalk{mp: mp, typ: typ, source: source, ref: ref, encounter: mp.encounterID(m)}
	for i := 0; i < m.NumSegments(); i++ {
		s := m.Segment(i)
		var err error
		switch s.ID() {
		case "PID":
			if err = w.flushORC(); err == nil {
				w.pidN++
				w.patientID = mp.patientID(s)
			}
		case "ORC":
			if err = w.flushORC(); err == nil {
				w.orcN++
				w.orc, w.hasORC, w.orcUsed, w.tq1 = s, true, false, Segment{}
			}
		case "TQ1":
			if w.tq1.m == nil {
				w.tq1 = s
			}
		case "OBR":
			w.obrN++
			w.orcUsed = true
			err = w.order(s, true)
		}
		if err != nil {
			return err
		}
	}
	if err := w.flushORC(); err != nil {
		return err
	}
	if w.orcN == 0 && w.obrN == 0 && typ != "ORU^R01" {
		return inputErrorf("ORC: %s has no ORC or OBR segment", typ)
	}
	return nil
}

// flushORC emits the order of an ORC that no OBR followed.
func (w *orderWalk) flushORC() error {
	if !w.hasORC || w.orcUsed {
		w.hasORC = false
		return nil
	}
	err := w.order(Segment{}, false)
	w.hasORC = false
	return err
}

// order emits one order/1 row from the current ORC and obr (when hasOBR).
func (w *orderWalk) order(obr Segment, hasOBR bool) error {
	var orc Segment
	if w.hasORC {
		orc = w.orc
	}
	var id, placer, filler string
	if hasOBR {
		id = w.mp.firstID(obr.Field(3), obr.Field(2))
		placer, filler = w.mp.firstID(obr.Field(2)), w.mp.firstID(obr.Field(3))
	}
	if w.hasORC {
		if id == "" {
			id = w.mp.firstID(orc.Field(3), orc.Field(2))
		}
		if placer == "" {
			placer = w.mp.firstID(orc.Field(2))
		}
		if filler == "" {
			filler = w.mp.firstID(orc.Field(3))
		}
	}
	path := fieldRef{"ORC", w.orcN, 2}
	if hasOBR {
		path = segPath(obr, w.obrN, 2)
	}
	if id == "" {
		if w.typ == "ORU^R01" {
			return nil
		}
		return inputErrorf("%s: order number is required (ORC-2, ORC-3, OBR-2 or OBR-3)", path)
	}
	if w.pidN == 0 {
		return inputErrorf("PID: no PID segment before order %s", id)
	}
	if w.patientID == "" {
		return inputErrorf("%s: patient identifier is required", fieldRef{"PID", w.pidN, 3})
	}
	r := w.mp.ref(w.ref, "ORC", w.orcN)
	if hasOBR {
		r = w.mp.ref(w.ref, "OBR", w.obrN)
	}
	row := w.mp.newRow(schemas.Order, w.source, r)
	row[ord.id] = schemas.TextValue(id)
	row[ord.placer] = schemas.OptText(placer)
	row[ord.filler] = schemas.OptText(filler)
	row[ord.patient] = schemas.TextValue(w.patientID)
	row[ord.encounter] = schemas.OptText(w.encounter)
	var provider string
	if w.hasORC {
		row[ord.control] = w.mp.text(orc.Field(1).Rep(1).Comp(1))
		row[ord.status] = w.mp.text(orc.Field(5).Rep(1).Comp(1))
		provider = w.mp.person(orc.Field(12).Rep(1))
		var err error
		if row[ord.ordered], err = w.mp.timestamp(orc.Field(9), fieldRef{"ORC", w.orcN, 9}); err != nil {
			return err
		}
	}
	if hasOBR {
		row[ord.result] = w.mp.text(obr.Field(25).Rep(1).Comp(1))
		code, name, system := coded(obr.Field(4).Rep(1))
		row[ord.code], row[ord.name], row[ord.system] = w.mp.text(code), w.mp.text(name), w.mp.text(system)
		if provider == "" {
			provider = w.mp.person(obr.Field(16).Rep(1))
		}
	}
	row[ord.provider] = schemas.OptText(provider)
	row[ord.priority] = schemas.OptText(w.priority(orc, obr, hasOBR))
	w.mp.emit(schemas.Order, row, r)
	return nil
}

// priority is TQ1-9 (the ORC's timing), else ORC-7.6, else OBR-27.6 (the
// quantity/timing of versions before 2.5), else OBR-5.
func (w *orderWalk) priority(orc, obr Segment, hasOBR bool) string {
	if w.tq1.m != nil {
		if p := w.mp.str(w.tq1.Field(9).Rep(1).Comp(1)); p != "" {
			return p
		}
	}
	if w.hasORC {
		if p := w.mp.str(orc.Field(7).Rep(1).Comp(6)); p != "" {
			return p
		}
	}
	if hasOBR {
		if p := w.mp.str(obr.Field(27).Rep(1).Comp(6)); p != "" {
			return p
		}
		return w.mp.str(obr.Field(5).Rep(1).Comp(1))
	}
	return ""
}

// coded returns the code, text and coding system of a CE/CWE
// repetition: components 1 to 3, or the alternate 4 to 6 when 1 is empty.
func coded(v Value) (code, name, system Value) {
	code, name, system = v.Comp(1), v.Comp(2), v.Comp(3)
	if code.IsEmpty() && !v.Comp(4).IsEmpty() {
		code, name, system = v.Comp(4), v.Comp(5), v.Comp(6)
	}
	return code, name, system
}

// encounterID is the visit number (PV1-19.1) of the message's first PV1.
func (mp *Mapper) encounterID(m *Message) string {
	pv1, ok := m.Find("PV1", 1)
	if !ok {
		return ""
	}
	return mp.str(pv1.Field(19).Rep(1).Comp(1))
}
