package hl7

import (
	"strings"

	"github.com/healthanchor/healthanchor/schemas"
)

var obs = struct {
	patient, order, code, system, name, value, vtype, units, rng, flag, status, observed int
}{
	col(schemas.Observation, "patient_id"), col(schemas.Observation, "order_id"), col(schemas.Observation, "code"),
	col(schemas.Observation, "code_system"), col(schemas.Observation, "name"), col(schemas.Observation, "value"),
	col(schemas.Observation, "value_type"), col(schemas.Observation, "units"), col(schemas.Observation, "reference_range"),
	col(schemas.Observation, "abnormal_flag"), col(schemas.Observation, "status"), col(schemas.Observation, "observed_at"),
}

// oru maps ORU^R01: one observation/1 row per OBX, with the patient of
// the PID and the order of the OBR (else ORC) that come before it.
func (mp *Mapper) oru(m *Message, source, ref string) error {
	var (
		patientID, order, orcOrder string
		obrTime                    Value
		obrTimePath                fieldRef
		pidN, obrN, obxN           int
		sawPID                     bool
	)
	for i := 0; i < m.NumSegments(); i++ {
		s := m.Segment(i)
		switch s.ID() {
		case "PID":
			pidN++
			sawPID = true
			patientID = mp.patientID(s)
			if patientID == "" {
				return inputErrorf("%s: patient identifier is required", segPath(s, pidN, 3))
			}
			order, orcOrder, obrTime, obrTimePath = "", "", Value{}, fieldRef{}
		case "ORC":
			orcOrder = mp.firstID(s.Field(3), s.Field(2))
			order, obrTime, obrTimePath = "", Value{}, fieldRef{}
		case "OBR":
			obrN++
			order = mp.firstID(s.Field(3), s.Field(2))
			if order == "" {
				order = orcOrder
			}
			obrTime, obrTimePath = s.Field(7), segPath(s, obrN, 7)
		case "OBX":
			obxN++
			if !sawPID {
				return inputErrorf("PID: no PID segment before OBX %d", obxN)
			}
			ord := order
			if ord == "" {
				ord = orcOrder
			}
			if err := mp.observation(s, obxN, patientID, ord, obrTime, obrTimePath, source, ref); err != nil {
				return err
			}
		}
	}
	if obxN == 0 {
		if !sawPID {
			return inputErrorf("PID: ORU^R01 has no PID segment")
		}
		return inputErrorf("OBX: ORU^R01 has no OBX segment")
	}
	return nil
}

// firstID returns the entity identifier (EI-1) of the first field that
// has one: the filler order number, then the placer's.
func (mp *Mapper) firstID(fields ...Value) string {
	for _, f := range fields {
		if id := mp.str(f.Rep(1).Comp(1)); id != "" {
			return id
		}
	}
	return ""
}

func (mp *Mapper) observation(s Segment, n int, patientID, order string, obrTime Value, obrTimePath fieldRef, source, ref string) error {
	p := func(field int) fieldRef { return segPath(s, n, field) }
	r := mp.ref(ref, "OBX", n)
	row := mp.newRow(schemas.Observation, source, r)
	row[obs.patient] = schemas.TextValue(patientID)
	row[obs.order] = schemas.OptText(order)
	id := s.Field(3).Rep(1)
	code, name, system := coded(id)
	if code.IsEmpty() {
		return inputErrorf("%s: observation identifier is required", p(3))
	}
	row[obs.code] = mp.text(code)
	row[obs.system] = mp.text(system)
	row[obs.name] = mp.text(name)
	vtype := strings.ToUpper(mp.str(s.Field(2).Rep(1).Comp(1)))
	row[obs.vtype] = schemas.OptText(vtype)
	row[obs.value] = schemas.OptText(mp.obsValue(s.Field(5), vtype))
	units := s.Field(6).Rep(1)
	if u := units.Comp(1); !u.IsEmpty() {
		row[obs.units] = mp.text(u)
	} else {
		row[obs.units] = mp.text(units.Comp(2))
	}
	row[obs.rng] = schemas.OptText(mp.joinComps(s.Field(7).Rep(1), 1, 3))
	row[obs.flag] = schemas.OptText(mp.joinFirstComps(s.Field(8)))
	row[obs.status] = mp.text(s.Field(11).Rep(1).Comp(1))
	var err error
	if !s.Field(14).IsEmpty() {
		row[obs.observed], err = mp.timestamp(s.Field(14), p(14))
	} else if obrTimePath.seg != "" {
		row[obs.observed], err = mp.timestamp(obrTime, obrTimePath)
	}
	if err != nil {
		return err
	}
	mp.emit(schemas.Observation, row, r)
	return nil
}

// obsValue flattens OBX-5 to text by its value type (OBX-2): SN as its
// parts run together (">^100" is ">100", "^1^:^2" is "1:2"); ST, TX and
// FT repetitions as lines; any other type as its components joined with
// "^" and repetitions with "~" (without trailing empty repetitions).
func (mp *Mapper) obsValue(v Value, vtype string) string {
	lines := vtype == "ST" || vtype == "TX" || vtype == "FT"
	a := &mp.a
	a.begin(len(v.raw))
	keep := len(a.buf) // up to the last non-empty repetition
	for r, n := 1, v.NumReps(); r <= n; r++ {
		rep := v.Rep(r)
		switch {
		case r > 1 && lines:
			a.buf = append(a.buf, '\n')
		case r > 1:
			a.buf = append(a.buf, '~')
		}
		from := len(a.buf)
		switch {
		case vtype == "SN":
			for c := 1; c <= 4; c++ {
				a.buf = rep.Comp(c).appendDecoded(a.buf)
			}
		case rep.NumComps() <= 1:
			a.buf = rep.appendDecoded(a.buf)
		default:
			a.buf = appendComps(a.buf, rep, 1, rep.NumComps())
		}
		if lines || len(a.buf) > from {
			keep = len(a.buf)
		}
	}
	a.buf = a.buf[:keep]
	return a.end()
}

// joinFirstComps returns the first component of each repetition of v
// that has one, joined with "~".
func (mp *Mapper) joinFirstComps(v Value) string {
	a := &mp.a
	a.begin(len(v.raw))
	for r, n := 1, v.NumReps(); r <= n; r++ {
		mark := len(a.buf)
		if mark > a.start {
			a.buf = append(a.buf, '~')
		}
		from := len(a.buf)
		if a.buf = v.Rep(r).Comp(1).appendDecoded(a.buf); len(a.buf) == from {
			a.buf = a.buf[:mark] // nothing decoded: no separator either
		}
	}
	return a.end()
}
