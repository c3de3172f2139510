package schemas

import (
	"fmt"
	"sort"
	"strings"
)

// Patient is patient/1: one person as a population registry knows them.
var Patient = New("patient", 1,
	Field{Name: "patient_id", Kind: Text, Required: true, Doc: "the source's identifier of the patient"},
	Field{Name: "family_name", Kind: Text, Doc: "family name (surname)"},
	Field{Name: "given_name", Kind: Text, Doc: "given name(s)"},
	Field{Name: "birth_date", Kind: Date, Doc: "date of birth"},
	Field{Name: "sex", Kind: Text, Doc: "administrative sex: F, M, O or U"},
	Field{Name: "address", Kind: Text, Doc: "street address"},
	Field{Name: "city", Kind: Text, Doc: "city of the address"},
	Field{Name: "postal_code", Kind: Text, Doc: "postal code of the address"},
	Field{Name: "country", Kind: Text, Doc: "country of the address, as the source writes it"},
	Field{Name: "phone", Kind: Text, Doc: "telephone number, as the source writes it"},
	Field{Name: "death_date", Kind: Date, Doc: "date of death, if known"},
	Field{Name: "updated_at", Kind: Timestamp, Doc: "when the source last changed the record, UTC"},
)

// Encounter is encounter/1: one visit or stay.
var Encounter = New("encounter", 1,
	Field{Name: "encounter_id", Kind: Text, Required: true, Doc: "visit number (HL7 PV1-19)"},
	Field{Name: "patient_id", Kind: Text, Required: true, Doc: "the patient of the visit, as patient/1 patient_id"},
	Field{Name: "class", Kind: Text, Doc: "patient class (HL7 PV1-2)"},
	Field{Name: "location", Kind: Text, Doc: "where the patient was: point of care, room, bed, facility, joined with ^"},
	Field{Name: "attending", Kind: Text, Doc: "the attending doctor: an id, else Family, Given"},
	Field{Name: "admit_time", Kind: Timestamp, Doc: "admission, UTC"},
	Field{Name: "discharge_time", Kind: Timestamp, Doc: "discharge, UTC"},
	Field{Name: "event_type", Kind: Text, Doc: "the event that produced the row, e.g. A01"},
)

// Observation is observation/1: one result with its patient and order context.
var Observation = New("observation", 1,
	Field{Name: "patient_id", Kind: Text, Required: true, Doc: "the patient observed, as patient/1 patient_id"},
	Field{Name: "order_id", Kind: Text, Doc: "the order the result answers, as order/1 order_id"},
	Field{Name: "code", Kind: Text, Required: true, Doc: "what was observed, e.g. a LOINC code"},
	Field{Name: "code_system", Kind: Text, Doc: "the code's system, e.g. LN (LOINC), SCT"},
	Field{Name: "name", Kind: Text, Doc: "the observation's name as the source gives it"},
	Field{Name: "value", Kind: Text, Doc: "the result as text (numbers as written)"},
	Field{Name: "value_type", Kind: Text, Doc: "the value's HL7 data type, e.g. NM, ST, CWE, SN"},
	Field{Name: "units", Kind: Text, Doc: "units of the value, e.g. a UCUM code"},
	Field{Name: "reference_range", Kind: Text, Doc: "normal range, as HL7 OBX-7 writes it"},
	Field{Name: "abnormal_flag", Kind: Text, Doc: "interpretation, e.g. H, L, N, A (HL7 table 0078)"},
	Field{Name: "status", Kind: Text, Doc: "result status, e.g. F (final), P, C (HL7 table 0085)"},
	Field{Name: "observed_at", Kind: Timestamp, Doc: "when the observation was made, UTC"},
)

// Reject is reject/1: input that could not become a canonical row, kept
// with its raw bytes and the reason, so that nothing is dropped silently.
var Reject = New("reject", 1,
	Field{Name: "target_schema", Kind: Text, Doc: "the schema the input was meant for, if known"},
	Field{Name: "reason", Kind: Text, Required: true, Doc: "why the input could not become a row, naming where it was"},
	Field{Name: "raw", Kind: Binary, Doc: "the input bytes as read"},
)

var registry = map[string]*Schema{}

func init() {
	for _, s := range []*Schema{Patient, Encounter, Observation, Order, Immunization, Condition, Allergy, Reject} {
		registry[s.ID()] = s
	}
}

// Lookup returns the schema with the given id ("patient/1").
func Lookup(id string) (*Schema, error) {
	if s, ok := registry[id]; ok {
		return s, nil
	}
	return nil, fmt.Errorf("schemas: unknown schema %q (known: %s)", id, strings.Join(IDs(), ", "))
}

// IDs lists the known schema ids in order.
func IDs() []string {
	ids := make([]string, 0, len(registry))
	for id := range registry {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// All returns every registered schema, by name and then by version
// (patient/2 before patient/10).
func All() []*Schema {
	out := make([]*Schema, 0, len(registry))
	for _, s := range registry {
		out = append(out, s)
	}
	sortSchemas(out)
	return out
}

// Versions returns the registered versions of the schema named name
// ("patient"), oldest first, or none.
func Versions(name string) []*Schema {
	var out []*Schema
	for _, s := range registry {
		if s.Name == name {
			out = append(out, s)
		}
	}
	sortSchemas(out)
	return out
}

// sortSchemas orders schemas by name, then by version as a number.
func sortSchemas(ss []*Schema) {
	sort.Slice(ss, func(i, j int) bool {
		if ss[i].Name != ss[j].Name {
			return ss[i].Name < ss[j].Name
		}
		return ss[i].Version < ss[j].Version
	})
}
