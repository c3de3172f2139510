package fhirndjson

import (
	"strings"

	"github.com/healthanchor/healthanchor/schemas"
)

// patients resolves Encounter and Observation subjects to patient_id.
type patients struct {
	system string            // identifier_system; empty: logical ids
	ids    map[string]string // Patient logical id → identifier value (when system is set)
}

// subject returns the patient_id of a resource's subject.
func (p *patients) subject(typ string, r *reference) (string, error) {
	path := typ + ".subject"
	if r == nil {
		return "", errAt(path, "missing")
	}
	if p.system != "" && r.Identifier != nil && r.Identifier.System == p.system && r.Identifier.Value != "" {
		return r.Identifier.Value, nil
	}
	id, ok := logicalID(r.Reference)
	if !ok {
		return "", errAt(path+".reference", "%q is not a reference to a Patient", r.Reference)
	}
	if p.system == "" {
		return id, nil
	}
	if v, ok := p.ids[id]; ok {
		return v, nil
	}
	return "", errAt(path+".reference", "Patient/%s is not among the Patient resources of this window, so its identifier of system %s is unknown", id, p.system)
}

// patientID returns a Patient's patient_id: the identifier of the
// configured system, else the logical id.
func (p *patients) patientID(r *resource) (string, error) {
	if p.system == "" {
		if r.ID == "" {
			return "", errAt("Patient.id", "missing")
		}
		return r.ID, nil
	}
	for _, id := range r.Identifier {
		if id.System == p.system && id.Value != "" {
			return id.Value, nil
		}
	}
	return "", errAt("Patient.identifier", "no identifier of system %s", p.system)
}

// genders maps FHIR AdministrativeGender to v2 table 0001.
var genders = map[string]string{"male": "M", "female": "F", "other": "O", "unknown": "U"}

func (b *rowBuilder) patient(r *resource, p *patients) error {
	id, err := p.patientID(r)
	if err != nil && !b.mapped("patient_id") {
		return err
	}
	var name humanName
	if n, ok := pick(r.Name, func(n humanName) string { return n.Use }, "official", "usual"); ok {
		name = n
	}
	sex := ""
	if r.Gender != "" && !b.mapped("sex") {
		if sex = genders[r.Gender]; sex == "" {
			return errAt("Patient.gender", "%q is not male, female, other or unknown", r.Gender)
		}
	}
	var addr address
	if a, ok := pick(r.Address, func(a address) string { return a.Use }, "home", ""); ok {
		addr = a
	}
	phone := ""
	var phones []contactPoint
	for _, t := range r.Telecom {
		if t.System == "phone" {
			phones = append(phones, t)
		}
	}
	if t, ok := pick(phones, func(t contactPoint) string { return t.Use }, "home", "mobile"); ok {
		phone = t.Value
	}
	return firstErr(
		b.set("patient_id", "Patient.identifier", id),
		b.set("family_name", "Patient.name.family", name.Family),
		b.set("given_name", "Patient.name.given", strings.Join(name.Given, " ")),
		b.set("birth_date", "Patient.birthDate", r.BirthDate),
		b.set("sex", "Patient.gender", sex),
		b.set("address", "Patient.address.line", strings.Join(addr.Line, ", ")),
		b.set("city", "Patient.address.city", addr.City),
		b.set("postal_code", "Patient.address.postalCode", addr.PostalCode),
		b.set("country", "Patient.address.country", addr.Country),
		b.set("phone", "Patient.telecom", phone),
		b.set("death_date", "Patient.deceasedDateTime", r.DeceasedDateTime),
		b.set("updated_at", "Patient.meta.lastUpdated", r.Meta.LastUpdated),
	)
}

// pick returns the first element whose use is uses[0], else uses[1], ...,
// else the first element.
func pick[T any](list []T, use func(T) string, uses ...string) (T, bool) {
	for _, u := range uses {
		for _, x := range list {
			if u != "" && use(x) == u {
				return x, true
			}
		}
	}
	if len(list) > 0 {
		return list[0], true
	}
	var zero T
	return zero, false
}

// encounterClasses maps v3 ActCode encounter classes to v2 table 0004
// (the inverse of HL7's PV1-2 → Encounter.class map); other codes are kept.
var encounterClasses = map[string]string{"IMP": "I", "ACUTE": "I", "NONAC": "I", "AMB": "O", "EMER": "E", "PRENC": "P"}

func (b *rowBuilder) encounter(r *resource, p *patients) error {
	id := r.ID
	if ident, ok := pick(r.Identifier, func(i identifier) string { return i.Use }, "official", "usual"); ok && ident.Value != "" {
		id = ident.Value
	}
	if id == "" && !b.mapped("encounter_id") {
		return errAt("Encounter.identifier", "no identifier and no id")
	}
	pid, err := p.subject("Encounter", r.Subject)
	if err != nil && !b.mapped("patient_id") {
		return err
	}
	class := ""
	if r.Class != nil {
		if class = encounterClasses[r.Class.Code]; class == "" {
			class = r.Class.Code
		}
	}
	location := ""
	if len(r.Location) > 0 {
		location = refText(&r.Location[0].Location)
	}
	attending := ""
	for _, want := range []string{"ATND", "PPRF"} {
		for _, pt := range r.Participant {
			for _, t := range pt.Type {
				for _, c := range t.Coding {
					if c.Code == want && attending == "" {
						attending = refText(pt.Individual)
					}
				}
			}
		}
	}
	var per period
	if r.Period != nil {
		per = *r.Period
	}
	return firstErr(
		b.set("encounter_id", "Encounter.identifier", id),
		b.set("patient_id", "Encounter.subject", pid),
		b.set("class", "Encounter.class", class),
		b.set("location", "Encounter.location", location),
		b.set("attending", "Encounter.participant", attending),
		b.set("admit_time", "Encounter.period.start", per.Start),
		b.set("discharge_time", "Encounter.period.end", per.End),
	)
}

// resultStatus maps FHIR ObservationStatus to v2 table 0085 (OBX-11);
// other codes are kept.
var resultStatus = map[string]string{
	"registered": "I", "preliminary": "P", "final": "F", "amended": "C", "corrected": "C",
	"cancelled": "X", "entered-in-error": "W",
}

func (b *rowBuilder) observation(r *resource, p *patients) error {
	pid, err := p.subject("Observation", r.Subject)
	if err != nil && !b.mapped("patient_id") {
		return err
	}
	c, ok := pickCoding(r.Code, "http://loinc.org")
	if (!ok || c.Code == "") && !b.mapped("code") {
		return errAt("Observation.code.coding", "no code")
	}
	name := c.Display
	if r.Code.Text != "" {
		name = r.Code.Text
	}
	order := ""
	if len(r.BasedOn) > 0 {
		if r.BasedOn[0].Identifier != nil {
			order = r.BasedOn[0].Identifier.Value
		} else {
			order = r.BasedOn[0].Reference
		}
	}
	value, vtype, units := observationValue(r)
	status := resultStatus[r.Status]
	if status == "" {
		status = r.Status
	}
	flag := ""
	if len(r.Interpretation) > 0 {
		if ic, ok := pickCoding(&r.Interpretation[0], ""); ok {
			flag = ic.Code
		}
	}
	observed := r.EffectiveDateTime
	if observed == "" {
		observed = r.EffectiveInstant
	}
	if observed == "" && r.EffectivePeriod != nil {
		observed = r.EffectivePeriod.Start
	}
	return firstErr(
		b.set("patient_id", "Observation.subject", pid),
		b.set("order_id", "Observation.basedOn", order),
		b.set("code", "Observation.code.coding.code", c.Code),
		b.set("code_system", "Observation.code.coding.system", codingSystem(c.System)),
		b.set("name", "Observation.code.text", name),
		b.set("value", "Observation.value[x]", value),
		b.set("value_type", "Observation.value[x]", vtype),
		b.set("units", "Observation.valueQuantity.unit", units),
		b.set("reference_range", "Observation.referenceRange", referenceRange(r)),
		b.set("abnormal_flag", "Observation.interpretation", flag),
		b.set("status", "Observation.status", status),
		b.set("observed_at", "Observation.effective[x]", observed),
	)
}

// observationValue returns value[x] as text with its v2 value type (OBX-2).
func observationValue(r *resource) (value, vtype, units string) {
	switch {
	case r.ValueQuantity != nil:
		q := r.ValueQuantity
		units = q.Unit
		if units == "" {
			units = q.Code
		}
		if q.Comparator != "" {
			return q.Comparator + q.Value.String(), "SN", units
		}
		return q.Value.String(), "NM", units
	case r.ValueCodeableConcept != nil:
		if c, ok := pickCoding(r.ValueCodeableConcept, ""); ok && c.Code != "" {
			return c.Code, "CWE", ""
		}
		return r.ValueCodeableConcept.Text, "ST", ""
	case r.ValueString != nil:
		return *r.ValueString, "ST", ""
	case r.ValueInteger != nil:
		return r.ValueInteger.String(), "NM", ""
	case r.ValueBoolean != nil:
		if *r.ValueBoolean {
			return "true", "ST", ""
		}
		return "false", "ST", ""
	case r.ValueDateTime != nil:
		return *r.ValueDateTime, "DTM", ""
	}
	return "", "", ""
}

// referenceRange writes the first referenceRange as OBX-7 does: its text,
// else "low-high", ">low" or "<high".
func referenceRange(r *resource) string {
	if len(r.ReferenceRange) == 0 {
		return ""
	}
	rr := r.ReferenceRange[0]
	if rr.Text != "" {
		return rr.Text
	}
	low, high := "", ""
	if rr.Low != nil {
		low = rr.Low.Value.String()
	}
	if rr.High != nil {
		high = rr.High.Value.String()
	}
	switch {
	case low != "" && high != "":
		return low + "-" + high
	case low != "":
		return ">" + low
	case high != "":
		return "<" + high
	}
	return ""
}

// schemaOf is the canonical schema a resource type maps to.
func schemaOf(typ string) *schemas.Schema {
	switch typ {
	case "Patient":
		return schemas.Patient
	case "Encounter":
		return schemas.Encounter
	case "Observation":
		return schemas.Observation
	}
	return nil
}
