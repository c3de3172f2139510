package schemas

import (
	"fmt"
	"sort"
	"strings"
)

// Patient is patient/1: one person as a population registry knows them.
var Patient = New("patient", 1,
	Field{Name: "patient_id", Kind: Text, Required: true, Doc: "the source's identifier of the patient"},
	Field{Name: "family_name", Kind: Text},
	Field{Name: "given_name", Kind: Text},
	Field{Name: "birth_date", Kind: Date},
	Field{Name: "sex", Kind: Text, Doc: "administrative sex: F, M, O or U"},
	Field{Name: "address", Kind: Text},
	Field{Name: "city", Kind: Text},
	Field{Name: "postal_code", Kind: Text},
	Field{Name: "country", Kind: Text},
	Field{Name: "phone", Kind: Text},
	Field{Name: "death_date", Kind: Date},
	Field{Name: "updated_at", Kind: Timestamp, Doc: "when the source last changed the record, UTC"},
)

// Encounter is encounter/1: one visit or stay.
var Encounter = New("encounter", 1,
	Field{Name: "encounter_id", Kind: Text, Required: true, Doc: "visit number (HL7 PV1-19)"},
	Field{Name: "patient_id", Kind: Text, Required: true},
	Field{Name: "class", Kind: Text, Doc: "patient class (HL7 PV1-2)"},
	Field{Name: "location", Kind: Text},
	Field{Name: "attending", Kind: Text},
	Field{Name: "admit_time", Kind: Timestamp},
	Field{Name: "discharge_time", Kind: Timestamp},
	Field{Name: "event_type", Kind: Text, Doc: "the event that produced the row, e.g. A01"},
)

// Observation is observation/1: one result with its patient and order context.
var Observation = New("observation", 1,
	Field{Name: "patient_id", Kind: Text, Required: true},
	Field{Name: "order_id", Kind: Text},
	Field{Name: "code", Kind: Text, Required: true},
	Field{Name: "code_system", Kind: Text},
	Field{Name: "name", Kind: Text},
	Field{Name: "value", Kind: Text},
	Field{Name: "value_type", Kind: Text},
	Field{Name: "units", Kind: Text},
	Field{Name: "reference_range", Kind: Text},
	Field{Name: "abnormal_flag", Kind: Text},
	Field{Name: "status", Kind: Text},
	Field{Name: "observed_at", Kind: Timestamp},
)

// Reject is reject/1: input that could not become a canonical row, kept
// with its raw bytes and the reason, so that nothing is dropped silently.
var Reject = New("reject", 1,
	Field{Name: "target_schema", Kind: Text, Doc: "the schema the input was meant for, if known"},
	Field{Name: "reason", Kind: Text, Required: true},
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
