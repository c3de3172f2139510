package fhirout

import (
	"github.com/samply/golang-fhir-models/fhir-models/fhir"

	"github.com/healthanchor/healthanchor/anchor"
)

// BatchProvenance is the FHIR Provenance of what an anchored batch
// produced (targets): agency who signed the batch's manifest (agent,
// type author, and the signature), at the manifest's created_at
// (occurred), recorded on the chain at blockTime, from entities.
// The signature's data is the manifest's Ed25519 signature, base64, over
// `healthanchor/manifest/v1` + LF + the manifest's JCS form without it
// (docs/format.md); a checker rebuilds that input from the manifest on
// the chain.
func BatchProvenance(id string, m anchor.Manifest, blockTime string, who fhir.Reference, targets []fhir.Reference, entities []fhir.ProvenanceEntity) fhir.Provenance {
	return fhir.Provenance{
		Id:               Ptr(id),
		Target:           targets,
		OccurredDateTime: Ptr(m.CreatedAt),
		Recorded:         blockTime,
		Activity:         Ptr(Concept(SystemDataOperation, "CREATE", "create")),
		Agent: []fhir.ProvenanceAgent{{
			Type: Ptr(Concept(SystemParticipant, "author", "Author")),
			Who:  who,
		}},
		Entity: entities,
		Signature: []fhir.Signature{{
			Type:         []fhir.Coding{Coding(SystemSignatureType, signatureTypeAuthor, "Author's Signature")},
			When:         m.CreatedAt,
			Who:          who,
			TargetFormat: Ptr("application/json"),
			Data:         Ptr(m.Signature),
		}},
	}
}
