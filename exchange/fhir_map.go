package exchange

import (
	"encoding/json"
	"regexp"
	"strings"

	"github.com/samply/golang-fhir-models/fhir-models/fhir"

	"github.com/healthanchor/healthanchor/internal/fhirout"
)

// record is a canonical record's columns; a null or empty column is "".
type record map[string]string

func decodeRecord(canonical string) (record, error) {
	var raw map[string]*string
	if err := json.Unmarshal([]byte(canonical), &raw); err != nil {
		return nil, err
	}
	r := record{}
	for k, v := range raw {
		if v != nil {
			r[k] = *v
		}
	}
	return r, nil
}

// opt is a pointer to s, nil when s is empty (FHIR has no empty strings).
func opt(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// subject refers to the patient of a record: by its patient_id
// (identifier system fhirout.SystemPatient, assigned by the source
// agency), and to the Patient resource of the same output when there is
// one (patients: patient_id -> resource id).
func subject(pid, source string, patients map[string]string) *fhir.Reference {
	r := fhirout.Ref("Patient", fhirout.SystemPatient, pid, "")
	r.Identifier.Assigner = fhirout.Ptr(fhirout.AgencyRef(source, ""))
	if id, ok := patients[pid]; ok {
		r.Reference = fhirout.Ptr("Patient/" + id)
	}
	return &r
}

// patientResource maps patient/1 as HL7's PID -> Patient map does.
func patientResource(id, source string, r record) fhir.Patient {
	p := fhir.Patient{Id: &id, BirthDate: opt(r["birth_date"]), DeceasedDateTime: opt(r["death_date"])}
	if r["updated_at"] != "" {
		p.Meta = &fhir.Meta{LastUpdated: opt(r["updated_at"])}
	}
	p.Identifier = []fhir.Identifier{{
		Use:      fhirout.Ptr(fhir.IdentifierUseUsual),
		Type:     fhirout.Ptr(fhirout.Concept(systemV2Table0203, "MR", "Medical record number")),
		System:   fhirout.Ptr(fhirout.SystemPatient),
		Value:    fhirout.Ptr(r["patient_id"]),
		Assigner: fhirout.Ptr(fhirout.AgencyRef(source, "")),
	}}
	if r["family_name"] != "" || r["given_name"] != "" {
		n := fhir.HumanName{Use: fhirout.Ptr(fhir.NameUseOfficial), Family: opt(r["family_name"])}
		if g := r["given_name"]; g != "" {
			n.Given = strings.Fields(g)
		}
		p.Name = []fhir.HumanName{n}
	}
	if s := r["sex"]; s != "" {
		g, ok := genders[s]
		if !ok {
			g = fhir.AdministrativeGenderUnknown
		}
		p.Gender = &g
	}
	if r["address"] != "" || r["city"] != "" || r["postal_code"] != "" || r["country"] != "" {
		a := fhir.Address{Use: fhirout.Ptr(fhir.AddressUseHome), City: opt(r["city"]), PostalCode: opt(r["postal_code"]), Country: opt(r["country"])}
		if r["address"] != "" {
			a.Line = []string{r["address"]}
		}
		p.Address = []fhir.Address{a}
	}
	if r["phone"] != "" {
		p.Telecom = []fhir.ContactPoint{{System: fhirout.Ptr(fhir.ContactPointSystemPhone), Value: opt(r["phone"]), Use: fhirout.Ptr(fhir.ContactPointUseHome)}}
	}
	return p
}

// encounterResource maps encounter/1 as HL7's PV1 -> Encounter map does.
// The status follows from the times: finished once discharged, else
// in-progress once admitted, else unknown.
func encounterResource(id, source string, r record, patients map[string]string) fhir.Encounter {
	e := fhir.Encounter{Id: &id, Status: fhir.EncounterStatusUnknown, Class: encounterClass(r["class"]),
		Subject: subject(r["patient_id"], source, patients)}
	switch {
	case r["discharge_time"] != "":
		e.Status = fhir.EncounterStatusFinished
	case r["admit_time"] != "":
		e.Status = fhir.EncounterStatusInProgress
	}
	e.Identifier = []fhir.Identifier{{
		Use:      fhirout.Ptr(fhir.IdentifierUseOfficial),
		Type:     fhirout.Ptr(fhirout.Concept(systemV2Table0203, "VN", "Visit number")),
		Value:    opt(r["encounter_id"]),
		Assigner: fhirout.Ptr(fhirout.AgencyRef(source, "")),
	}}
	if r["admit_time"] != "" || r["discharge_time"] != "" {
		e.Period = &fhir.Period{Start: opt(r["admit_time"]), End: opt(r["discharge_time"])}
	}
	if r["location"] != "" {
		e.Location = []fhir.EncounterLocation{{Location: fhir.Reference{Display: opt(r["location"])}}}
	}
	if r["attending"] != "" {
		e.Participant = []fhir.EncounterParticipant{{
			Type:       []fhir.CodeableConcept{fhirout.Concept(systemParticipation, "ATND", "attender")},
			Individual: &fhir.Reference{Display: opt(r["attending"])},
		}}
	}
	return e
}

// observationResource maps observation/1 as HL7's OBX -> Observation map
// does; value[x] follows value_type (observationValue).
func observationResource(id, source string, r record, patients map[string]string) fhir.Observation {
	status, ok := observationStatus[r["status"]]
	if !ok {
		status = fhir.ObservationStatusUnknown
	}
	c := fhir.Coding{Code: opt(r["code"]), Display: opt(r["name"])}
	if uri, ok := fhirout.SystemURI(r["code_system"]); ok {
		c.System = &uri
	}
	o := fhir.Observation{Id: &id, Status: status, Code: fhir.CodeableConcept{Coding: []fhir.Coding{c}, Text: opt(r["name"])},
		Subject: subject(r["patient_id"], source, patients), EffectiveDateTime: opt(r["observed_at"])}
	if r["order_id"] != "" {
		o.BasedOn = []fhir.Reference{{Type: fhirout.Ptr("ServiceRequest"), Identifier: &fhir.Identifier{Value: opt(r["order_id"])}}}
	}
	observationValue(&o, r)
	if r["reference_range"] != "" {
		o.ReferenceRange = []fhir.ObservationReferenceRange{{Text: opt(r["reference_range"])}}
	}
	if f := r["abnormal_flag"]; f != "" {
		o.Interpretation = []fhir.CodeableConcept{{Coding: []fhir.Coding{{System: fhirout.Ptr(systemInterpretation), Code: &f}}}}
	}
	return o
}

var (
	fhirDecimal  = regexp.MustCompile(`^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$`)
	fhirDateTime = regexp.MustCompile(`^([0-9]{4})(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01])(T([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]+)?(Z|(\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00)))?)?)?$`)
)

// observationValue sets value[x] from value and value_type (OBX-2): NM
// as valueQuantity (units as its unit), SN with a leading comparator as
// valueQuantity with it, CE/CWE/CNE as valueCodeableConcept, DT/DTM/TS
// as valueDateTime; a value that is not valid in that type, or of
// another type, is valueString. An empty value sets none.
func observationValue(o *fhir.Observation, r record) {
	v := r["value"]
	if v == "" {
		return
	}
	switch r["value_type"] {
	case "NM", "SN":
		num, cmp := v, ""
		for _, k := range []string{"<=", ">=", "<", ">"} {
			if strings.HasPrefix(v, k) {
				num, cmp = strings.TrimSpace(v[len(k):]), k
				break
			}
		}
		if fhirDecimal.MatchString(num) {
			q := &fhir.Quantity{Value: fhirout.Ptr(json.Number(num)), Unit: opt(r["units"])}
			if cmp != "" {
				q.Comparator = fhirout.Ptr(comparators[cmp])
			}
			o.ValueQuantity = q
			return
		}
	case "CE", "CWE", "CNE":
		o.ValueCodeableConcept = &fhir.CodeableConcept{Coding: []fhir.Coding{{Code: &v}}}
		return
	case "DT", "DTM", "TS":
		if fhirDateTime.MatchString(v) {
			o.ValueDateTime = &v
			return
		}
	}
	o.ValueString = &v
}
