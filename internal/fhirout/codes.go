// Package fhirout holds what the FHIR R4 outputs of healthanchor share:
// the identifier systems of its own values, the HL7 code systems they
// use, small constructors of FHIR data types, the Provenance of an
// anchored batch, and the FHIR Bulk Data NDJSON files with their output
// manifest. lifecycle's `export fhir` and exchange's `fetch --format
// fhir` both write through it (docs/lifecycle.md, docs/exchange.md).
package fhirout

import "github.com/samply/golang-fhir-models/fhir-models/fhir"

// Identifier systems of healthanchor's own values; each names what its
// value is (docs/lifecycle.md, "Resource mapping").
const (
	SystemBatch      = "urn:healthanchor:batch"       // batch id (32 hex)
	SystemMerkleRoot = "urn:healthanchor:merkle-root" // the batch's RFC 9162 root, hex
	SystemSHA256     = "urn:healthanchor:sha256"      // SHA-256 of the Parquet file, hex
	SystemAgency     = "urn:healthanchor:agency"      // agency id in the chain's genesis
	SystemJob        = "urn:healthanchor:job"         // job name in the producer's config
	SystemSource     = "urn:healthanchor:source"      // the manifest's source
	SystemChain      = "urn:healthanchor:chain"       // chain id
	SystemBlock      = "urn:healthanchor:block"       // block height on the chain, base 10
	SystemPatient    = "urn:healthanchor:patient-id"  // a record's patient_id, assigned by its producer
)

// Code systems of HL7 the outputs use.
const (
	SystemParticipant   = "http://terminology.hl7.org/CodeSystem/provenance-participant-type"
	SystemDataOperation = "http://terminology.hl7.org/CodeSystem/v3-DataOperation"
	SystemSignatureType = "urn:iso-astm:E1762-95:2013"
	signatureTypeAuthor = "1.2.840.10065.1.12.1.1"
)

// Coding is a FHIR Coding.
func Coding(system, code, display string) fhir.Coding {
	return fhir.Coding{System: &system, Code: &code, Display: &display}
}

// Concept is a CodeableConcept of one coding.
func Concept(system, code, display string) fhir.CodeableConcept {
	return fhir.CodeableConcept{Coding: []fhir.Coding{Coding(system, code, display)}}
}

// Ref is a logical reference: an identifier, with the type of resource it
// names and a display text when not empty.
func Ref(typ, system, value, display string) fhir.Reference {
	r := fhir.Reference{Identifier: &fhir.Identifier{System: &system, Value: &value}}
	if typ != "" {
		r.Type = &typ
	}
	if display != "" {
		r.Display = &display
	}
	return r
}

// Literal is a reference to a resource of the same output by type and id.
func Literal(typ, id string) fhir.Reference {
	s := typ + "/" + id
	return fhir.Reference{Reference: &s}
}

// AgencyRef refers to agency id as an Organization, with a display name
// when name is not empty.
func AgencyRef(id, name string) fhir.Reference {
	return Ref("Organization", SystemAgency, id, name)
}

// Ptr returns a pointer to v, for the optional fields of the FHIR types.
func Ptr[T any](v T) *T { return &v }
