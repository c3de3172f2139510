package fhirout

import "testing"

// TestSystems checks the v2 coding system names and their FHIR URIs map
// both ways, as fetch --format fhir and the fhir-ndjson connector rely on.
func TestSystems(t *testing.T) {
	for name := range codeSystems {
		uri, ok := SystemURI(name)
		if !ok || SystemName(uri) != name {
			t.Errorf("%s -> %q (%v) -> %q", name, uri, ok, SystemName(uri))
		}
	}
	if got := SystemName("http://hl7.org/fhir/sid/icd-10-cm"); got != "I10" {
		t.Errorf("ICD-10-CM is %q, want I10", got)
	}
	if uri, ok := SystemURI("urn:oid:2.16.840.1.113883.6.1"); !ok || uri != "urn:oid:2.16.840.1.113883.6.1" {
		t.Errorf("a URI is not kept: %q %v", uri, ok)
	}
	if uri, ok := SystemURI("L"); ok || uri != "" {
		t.Errorf("a local name maps to %q", uri)
	}
	if got := SystemName("http://example.org/codes"); got != "http://example.org/codes" {
		t.Errorf("an unknown URI becomes %q", got)
	}
}
