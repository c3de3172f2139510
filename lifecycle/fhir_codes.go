package lifecycle

import (
	"github.com/samply/golang-fhir-models/fhir-models/fhir"

	"github.com/healthanchor/healthanchor/internal/fhirout"
)

// Identifier systems of healthanchor's own values in the export; each
// names what its value is (docs/lifecycle.md, "Resource mapping").
const (
	SystemBatch      = fhirout.SystemBatch            // batch id (32 hex)
	SystemMerkleRoot = fhirout.SystemMerkleRoot       // the batch's RFC 9162 root, hex
	SystemSHA256     = fhirout.SystemSHA256           // SHA-256 of the Parquet file, hex
	SystemAgency     = fhirout.SystemAgency           // agency id in the chain's genesis
	SystemJob        = fhirout.SystemJob              // job name in the producer's config
	SystemSource     = fhirout.SystemSource           // the manifest's source
	SystemChain      = fhirout.SystemChain            // chain id
	SystemEventType  = "urn:healthanchor:audit-event" // AuditEvent.subtype codes below
)

// Code systems of HL7 and DICOM the export uses.
const (
	systemDICOM        = "http://dicom.nema.org/resources/ontology/DCM"
	systemEntityType   = "http://terminology.hl7.org/CodeSystem/audit-entity-type"
	systemObjectRole   = "http://terminology.hl7.org/CodeSystem/object-role"
	systemSourceType   = "http://terminology.hl7.org/CodeSystem/security-source-type"
	contentTypeParquet = "application/vnd.apache.parquet"
)

// Subtype codes of the AuditEvents (system SystemEventType).
const (
	EventAnchor      = "anchor"       // a job run that extracts and anchors batches
	EventVerifyChain = "verify-chain" // a re-verification of the chain from genesis
	EventVerifyBatch = "verify-batch" // a re-verification of one batch file
	EventDisclose    = "disclose"     // records disclosed to another agency (a disclosure entry)
	EventErase       = "erase"        // a patient's rows erased (an erasure entry)
	EventRetention   = "retention"    // a batch's files removed under retention (a retention entry)
)

// The FHIR data type constructors the export shares with exchange.
var (
	coding  = fhirout.Coding
	concept = fhirout.Concept
	ref     = fhirout.Ref
	literal = fhirout.Literal
)

func ptr[T any](v T) *T { return fhirout.Ptr(v) }

// agencyRef refers to agency id as an Organization, with the exporting
// agency's name when it is that agency.
func agencyRef(id string, ag Agency) fhir.Reference {
	name := ""
	if id == ag.ID {
		name = ag.Name
	}
	return fhirout.AgencyRef(id, name)
}
