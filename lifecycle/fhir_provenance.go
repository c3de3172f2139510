package lifecycle

import (
	"fmt"

	"github.com/samply/golang-fhir-models/fhir-models/fhir"

	"github.com/healthanchor/healthanchor/internal/fhirout"
)

// documentReference is the batch file as a FHIR DocumentReference: its
// id is the batch id; it names the file's SHA-256 and the batch's Merkle
// root as identifiers (R4's Attachment.hash is SHA-1, which the chain
// does not record), its size and media type.
func documentReference(ag Agency, b anchoredBatch) fhir.DocumentReference {
	m := b.Manifest
	return fhir.DocumentReference{
		Id:               ptr(m.BatchID),
		MasterIdentifier: &fhir.Identifier{System: ptr(SystemBatch), Value: ptr(m.BatchID)},
		Identifier: []fhir.Identifier{
			{System: ptr(SystemSHA256), Value: ptr(m.ParquetSHA256)},
			{System: ptr(SystemMerkleRoot), Value: ptr(m.MerkleRoot)},
		},
		Status: fhir.DocumentReferenceStatusCurrent,
		Type:   &fhir.CodeableConcept{Text: ptr("healthanchor batch file, schema " + m.Schema)},
		Date:   ptr(b.Block.Time),
		Author: []fhir.Reference{agencyRef(m.Agency, ag)},
		Description: ptr(fmt.Sprintf("%d rows (%d rejected) of schema %s from job %s, anchored in block %d at log index %d",
			m.Rows, m.Rejects, m.Schema, m.Job, b.Height, b.LogIndex)),
		Content: []fhir.DocumentReferenceContent{{Attachment: fhir.Attachment{
			ContentType: ptr(contentTypeParquet),
			Size:        ptr(int(m.ParquetSize)),
			Title:       ptr(m.BatchID + ".parquet"),
			Creation:    ptr(m.CreatedAt),
		}}},
	}
}

// provenance is a batch's FHIR Provenance: the agency signed the manifest
// that commits the batch file (target), read from the job's source
// (entity), and the chain recorded it at the block's time.
func provenance(ag Agency, b anchoredBatch) fhir.Provenance {
	m := b.Manifest
	return fhirout.BatchProvenance("batch-"+m.BatchID, m, b.Block.Time, agencyRef(m.Agency, ag),
		[]fhir.Reference{literal("DocumentReference", m.BatchID)},
		[]fhir.ProvenanceEntity{{
			Role: fhir.ProvenanceEntityRoleSource,
			What: ref("", SystemSource, m.Source, "job "+m.Job+", source "+m.Source),
		}})
}
