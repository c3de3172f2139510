package lifecycle

import "github.com/samply/golang-fhir-models/fhir-models/fhir"

// Identifier systems of healthanchor's own values in the export; each
// names what its value is (docs/lifecycle.md, "Resource mapping").
const (
	SystemBatch      = "urn:healthanchor:batch"       // batch id (32 hex)
	SystemMerkleRoot = "urn:healthanchor:merkle-root" // the batch's RFC 9162 root, hex
	SystemSHA256     = "urn:healthanchor:sha256"      // SHA-256 of the Parquet file, hex
	SystemAgency     = "urn:healthanchor:agency"      // agency id in the chain's genesis
	SystemJob        = "urn:healthanchor:job"         // job name in the producer's config
	SystemSource     = "urn:healthanchor:source"      // the manifest's source
	SystemChain      = "urn:healthanchor:chain"       // chain id
	SystemEventType  = "urn:healthanchor:audit-event" // AuditEvent.subtype codes below
)

// Code systems of HL7 and DICOM the export uses.
const (
	systemDICOM          = "http://dicom.nema.org/resources/ontology/DCM"
	systemEntityType     = "http://terminology.hl7.org/CodeSystem/audit-entity-type"
	systemObjectRole     = "http://terminology.hl7.org/CodeSystem/object-role"
	systemSourceType     = "http://terminology.hl7.org/CodeSystem/security-source-type"
	systemParticipant    = "http://terminology.hl7.org/CodeSystem/provenance-participant-type"
	systemDataOperation  = "http://terminology.hl7.org/CodeSystem/v3-DataOperation"
	systemSignatureType  = "urn:iso-astm:E1762-95:2013"
	contentTypeParquet   = "application/vnd.apache.parquet"
	signatureTypeAuthor  = "1.2.840.10065.1.12.1.1"
	signatureTypeDisplay = "Author's Signature"
)

// Subtype codes of the AuditEvents (system SystemEventType).
const (
	EventAnchor      = "anchor"       // a job run that extracts and anchors batches
	EventVerifyChain = "verify-chain" // a re-verification of the chain from genesis
	EventVerifyBatch = "verify-batch" // a re-verification of one batch file
)

func coding(system, code, display string) fhir.Coding {
	return fhir.Coding{System: &system, Code: &code, Display: &display}
}

func concept(system, code, display string) fhir.CodeableConcept {
	return fhir.CodeableConcept{Coding: []fhir.Coding{coding(system, code, display)}}
}

// ref is a logical reference: an identifier, with the type of resource
// it names and a display text when not empty.
func ref(typ, system, value, display string) fhir.Reference {
	r := fhir.Reference{Identifier: &fhir.Identifier{System: &system, Value: &value}}
	if typ != "" {
		r.Type = &typ
	}
	if display != "" {
		r.Display = &display
	}
	return r
}

// literal is a reference to a resource of the export by type and id.
func literal(typ, id string) fhir.Reference {
	s := typ + "/" + id
	return fhir.Reference{Reference: &s}
}

func ptr[T any](v T) *T { return &v }
