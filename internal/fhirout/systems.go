package fhirout

import "strings"

// codeSystems maps the HL7 v2 names of coding systems (table 0396) that
// the canonical code_system columns hold to their FHIR URIs.
var codeSystems = map[string]string{
	"LN":   "http://loinc.org",
	"SCT":  "http://snomed.info/sct",
	"UCUM": "http://unitsofmeasure.org",
	"I10":  "http://hl7.org/fhir/sid/icd-10",
}

// SystemURI returns the FHIR URI of a v2 coding system name; a name that
// is already a URI (it holds a colon) is returned as it is. ok is false
// for a name this table does not know.
func SystemURI(name string) (uri string, ok bool) {
	if u, found := codeSystems[name]; found {
		return u, true
	}
	if strings.Contains(name, ":") {
		return name, true
	}
	return "", false
}

// SystemName returns the v2 name of a FHIR coding system URI (the
// inverse of SystemURI; ICD-10-CM counts as I10), the URI itself when
// the table has none.
func SystemName(uri string) string {
	if uri == "http://hl7.org/fhir/sid/icd-10-cm" {
		return "I10"
	}
	for name, u := range codeSystems {
		if u == uri {
			return name
		}
	}
	return uri
}
