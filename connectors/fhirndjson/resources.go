package fhirndjson

import "encoding/json"

// The parts of FHIR R4 resources the connector reads.

type coding struct {
	System  string `json:"system"`
	Code    string `json:"code"`
	Display string `json:"display"`
}

type codeableConcept struct {
	Coding []coding `json:"coding"`
	Text   string   `json:"text"`
}

type identifier struct {
	Use    string          `json:"use"`
	Type   codeableConcept `json:"type"`
	System string          `json:"system"`
	Value  string          `json:"value"`
}

type reference struct {
	Reference  string      `json:"reference"`
	Identifier *identifier `json:"identifier"`
	Display    string      `json:"display"`
}

type period struct {
	Start string `json:"start"`
	End   string `json:"end"`
}

type quantity struct {
	Value      json.Number `json:"value"`
	Comparator string      `json:"comparator"`
	Unit       string      `json:"unit"`
	Code       string      `json:"code"`
}

type humanName struct {
	Use    string   `json:"use"`
	Text   string   `json:"text"`
	Family string   `json:"family"`
	Given  []string `json:"given"`
}

type address struct {
	Use        string   `json:"use"`
	Line       []string `json:"line"`
	City       string   `json:"city"`
	PostalCode string   `json:"postalCode"`
	Country    string   `json:"country"`
}

type contactPoint struct {
	System string `json:"system"`
	Value  string `json:"value"`
	Use    string `json:"use"`
}

type meta struct {
	LastUpdated string `json:"lastUpdated"`
}

// resource holds the fields of the three resource types read; a line is
// decoded once into it and mapped by its resourceType.
type resource struct {
	ResourceType string       `json:"resourceType"`
	ID           string       `json:"id"`
	Meta         meta         `json:"meta"`
	Identifier   []identifier `json:"identifier"`
	Status       string       `json:"status"`

	// Patient
	Name             []humanName    `json:"name"`
	Telecom          []contactPoint `json:"telecom"`
	Gender           string         `json:"gender"`
	BirthDate        string         `json:"birthDate"`
	DeceasedDateTime string         `json:"deceasedDateTime"`
	Address          []address      `json:"address"`

	// Encounter
	Class       *coding    `json:"class"`
	Subject     *reference `json:"subject"`
	Participant []struct {
		Type       []codeableConcept `json:"type"`
		Individual *reference        `json:"individual"`
	} `json:"participant"`
	Period   *period `json:"period"`
	Location []struct {
		Location reference `json:"location"`
	} `json:"location"`

	// Observation
	BasedOn              []reference       `json:"basedOn"`
	Code                 *codeableConcept  `json:"code"`
	EffectiveDateTime    string            `json:"effectiveDateTime"`
	EffectiveInstant     string            `json:"effectiveInstant"`
	EffectivePeriod      *period           `json:"effectivePeriod"`
	ValueQuantity        *quantity         `json:"valueQuantity"`
	ValueCodeableConcept *codeableConcept  `json:"valueCodeableConcept"`
	ValueString          *string           `json:"valueString"`
	ValueBoolean         *bool             `json:"valueBoolean"`
	ValueInteger         *json.Number      `json:"valueInteger"`
	ValueDateTime        *string           `json:"valueDateTime"`
	Interpretation       []codeableConcept `json:"interpretation"`
	ReferenceRange       []struct {
		Low  *quantity `json:"low"`
		High *quantity `json:"high"`
		Text string    `json:"text"`
	} `json:"referenceRange"`
}
