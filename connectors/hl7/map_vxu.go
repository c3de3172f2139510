package hl7

import (
	"strings"

	"github.com/healthanchor/healthanchor/schemas"
)

var imm = struct {
	id, patient, code, system, name, dose, units, at, lot, mfr, status, action, route, site, funding, eligibility int
}{
	col(schemas.Immunization, "immunization_id"), col(schemas.Immunization, "patient_id"),
	col(schemas.Immunization, "vaccine_code"), col(schemas.Immunization, "vaccine_system"),
	col(schemas.Immunization, "vaccine_name"), col(schemas.Immunization, "dose"), col(schemas.Immunization, "units"),
	col(schemas.Immunization, "administered_at"), col(schemas.Immunization, "lot"),
	col(schemas.Immunization, "manufacturer"), col(schemas.Immunization, "status"), col(schemas.Immunization, "action"),
	col(schemas.Immunization, "route"), col(schemas.Immunization, "site"),
	col(schemas.Immunization, "funding_source"), col(schemas.Immunization, "funding_eligibility"),
}

// LOINC codes of the OBX that carry a dose's funding (CDC immunization
// implementation guide).
const (
	loincFundingSource      = "30963-3"
	loincFundingEligibility = "64994-7"
)

// doseScale is the digits kept after the point of immunization/1 dose.
const doseScale = 3

// immunizations maps VXU^V04: one immunization/1 row per RXA, with the
// route and site of the RXR and the funding of the OBX that follow it
// (up to the next RXA or ORC).
func (mp *Mapper) immunizations(m *Message, source, ref string) error {
	var (
		patientID, orderID string
		row                schemas.Row // the current RXA's row, nil before the first
		pidN, rxaN         int
	)
	for i := 0; i < m.NumSegments(); i++ {
		s := m.Segment(i)
		switch s.ID() {
		case "PID":
			pidN++
			patientID, row = mp.patientID(s), nil
		case "ORC":
			orderID, row = mp.firstID(s.Field(3), s.Field(2)), nil
		case "RXA":
			rxaN++
			if patientID == "" {
				return inputErrorf("%s: patient identifier is required", fieldRef{"PID", max(pidN, 1), 3})
			}
			var err error
			if row, err = mp.immunization(s, rxaN, patientID, orderID, source, ref); err != nil {
				return err
			}
		case "RXR":
			if row != nil {
				row[imm.route] = mp.text(s.Field(1).Rep(1).Comp(1))
				row[imm.site] = mp.text(s.Field(2).Rep(1).Comp(1))
			}
		case "OBX":
			if row == nil {
				continue
			}
			switch mp.str(s.Field(3).Rep(1).Comp(1)) {
			case loincFundingSource:
				row[imm.funding] = mp.text(s.Field(5).Rep(1).Comp(1))
			case loincFundingEligibility:
				row[imm.eligibility] = mp.text(s.Field(5).Rep(1).Comp(1))
			}
		}
	}
	return nil
}

// immunization maps the n-th RXA and emits its row, which the RXR and OBX
// after it complete.
func (mp *Mapper) immunization(s Segment, n int, patientID, orderID, source, ref string) (schemas.Row, error) {
	p := func(field int) fieldRef { return segPath(s, n, field) }
	r := mp.ref(ref, "RXA", n)
	row := mp.newRow(schemas.Immunization, source, r)
	row[imm.id] = schemas.OptText(orderID)
	row[imm.patient] = schemas.TextValue(patientID)
	code, name, system := mp.vaccine(s.Field(5).Rep(1))
	if code.IsEmpty() {
		return nil, inputErrorf("%s: administered code is required", p(5))
	}
	row[imm.code], row[imm.name], row[imm.system] = mp.text(code), mp.text(name), mp.text(system)
	var err error
	if row[imm.at], err = mp.timestamp(s.Field(3), p(3)); err != nil {
		return nil, err
	}
	if !row[imm.at].Set {
		return nil, inputErrorf("%s: date/time of administration is required", p(3))
	}
	if row[imm.dose], err = dose(mp.str(s.Field(6).Rep(1).Comp(1)), p(6)); err != nil {
		return nil, err
	}
	units := s.Field(7).Rep(1)
	if u := units.Comp(1); !u.IsEmpty() {
		row[imm.units] = mp.text(u)
	} else {
		row[imm.units] = mp.text(units.Comp(2))
	}
	row[imm.lot] = mp.text(s.Field(15).Rep(1).Comp(1))
	mfr := s.Field(17).Rep(1)
	if c := mfr.Comp(1); !c.IsEmpty() {
		row[imm.mfr] = mp.text(c)
	} else {
		row[imm.mfr] = mp.text(mfr.Comp(2))
	}
	row[imm.status] = mp.text(s.Field(20).Rep(1).Comp(1))
	row[imm.action] = mp.text(s.Field(21).Rep(1).Comp(1))
	mp.emit(schemas.Immunization, row, r)
	return row, nil
}

// vaccine returns the coding of RXA-5 whose system is CVX (components 1
// to 3, else the alternate 4 to 6), else the first coding present.
func (mp *Mapper) vaccine(v Value) (code, name, system Value) {
	if strings.EqualFold(mp.str(v.Comp(6)), "CVX") && !strings.EqualFold(mp.str(v.Comp(3)), "CVX") && !v.Comp(4).IsEmpty() {
		return v.Comp(4), v.Comp(5), v.Comp(6)
	}
	return coded(v)
}

// dose parses RXA-6 (decoded: amount), the administered amount, to a
// decimal with doseScale digits (no sign: an amount given is not
// negative); empty and 999 (unknown, in the CDC guide) are null.
func dose(amount string, path fieldRef) (schemas.Value, error) {
	s := strings.TrimSpace(amount)
	if s == "" || s == "999" {
		return schemas.Null, nil
	}
	whole, frac, _ := strings.Cut(s, ".")
	frac = strings.TrimRight(frac, "0")
	if whole == "" && frac == "" || len(frac) > doseScale || len(whole) > 12 || !onlyDigits(whole) || !onlyDigits(frac) {
		return schemas.Null, inputErrorf("%s: %q is not an amount with at most %d digits after the point", path, s, doseScale)
	}
	n := int64(atoi(whole))
	for i := range doseScale {
		n *= 10
		if i < len(frac) {
			n += int64(frac[i] - '0')
		}
	}
	return schemas.DecimalValue(n), nil
}

// onlyDigits reports whether s is empty or all ASCII digits.
func onlyDigits(s string) bool {
	return s == "" || digits(s)
}
