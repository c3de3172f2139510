package exchange

import (
	"fmt"
	"strconv"

	"github.com/samply/golang-fhir-models/fhir-models/fhir"

	"github.com/healthanchor/healthanchor/anchor"
	"github.com/healthanchor/healthanchor/internal/fhirout"
)

// FHIRTypes are the resource types of the FHIR rendering, in file order.
var FHIRTypes = []string{"Patient", "Encounter", "Observation", "Provenance"}

// FHIR is a verified fetch rendered as FHIR R4 resources.
type FHIR struct {
	// Resources holds, by resource type, the resources in answer order.
	Resources map[string][]any
	// Unmapped counts, by schema, the records of schemas the rendering
	// does not map (they are in the Parquet output only).
	Unmapped map[string]int
}

// RenderFHIR maps the records of a verified fetch to FHIR R4: each
// record of patient/1, encounter/1 and observation/1 to one Patient,
// Encounter or Observation whose id is BATCH-ROW (as its proof bundle's
// name), and one Provenance per batch that produced any (docs/exchange.md,
// "FHIR output"). Records of other schemas are counted in Unmapped.
func RenderFHIR(got Fetched) (FHIR, error) {
	out := FHIR{Resources: map[string][]any{}, Unmapped: map[string]int{}}
	recs := make([]record, len(got.Proofs))
	patients := map[string]string{} // patient_id -> Patient resource id
	for i, p := range got.Proofs {
		r, err := decodeRecord(p.Record.Canonical)
		if err != nil {
			return FHIR{}, fmt.Errorf("exchange: fhir: batch %s record %d: %w", p.Manifest.BatchID, p.Record.Index, err)
		}
		recs[i] = r
		if _, seen := patients[r["patient_id"]]; p.Manifest.Schema == "patient/1" && !seen {
			patients[r["patient_id"]] = resourceID(p)
		}
	}
	var order []string
	targets := map[string][]fhir.Reference{}
	frames := map[string]anchor.Proof{}
	for i, p := range got.Proofs {
		id, source, r := resourceID(p), p.Manifest.Agency, recs[i]
		var typ string
		var res any
		switch p.Manifest.Schema {
		case "patient/1":
			typ, res = "Patient", patientResource(id, source, r)
		case "encounter/1":
			typ, res = "Encounter", encounterResource(id, source, r, patients)
		case "observation/1":
			typ, res = "Observation", observationResource(id, source, r, patients)
		default:
			out.Unmapped[p.Manifest.Schema]++
			continue
		}
		out.Resources[typ] = append(out.Resources[typ], res)
		b := p.Manifest.BatchID
		if _, ok := frames[b]; !ok {
			order = append(order, b)
			frames[b] = p
		}
		targets[b] = append(targets[b], fhirout.Literal(typ, id))
	}
	for _, b := range order {
		prov, err := fetchProvenance(frames[b], targets[b])
		if err != nil {
			return FHIR{}, err
		}
		out.Resources["Provenance"] = append(out.Resources["Provenance"], prov)
	}
	return out, nil
}

// resourceID is a record's resource id: its batch id and row.
func resourceID(p anchor.Proof) string {
	return fmt.Sprintf("%s-%d", p.Manifest.BatchID, p.Record.Index)
}

// fetchProvenance is the Provenance of the resources one batch produced:
// the source agency signed the batch's manifest (author and signature),
// and the entities name the batch, its Merkle root and the block of the
// fetcher's own chain that anchors it.
func fetchProvenance(p anchor.Proof, targets []fhir.Reference) (fhir.Provenance, error) {
	m, b := p.Manifest, p.Block
	hash, err := b.Hash()
	if err != nil {
		return fhir.Provenance{}, fmt.Errorf("exchange: fhir: block %d: %w", b.Height, err)
	}
	source := func(system, value, display string) fhir.ProvenanceEntity {
		return fhir.ProvenanceEntity{Role: fhir.ProvenanceEntityRoleSource, What: fhirout.Ref("", system, value, display)}
	}
	return fhirout.BatchProvenance("batch-"+m.BatchID, m, b.Time, fhirout.AgencyRef(m.Agency, ""), targets, []fhir.ProvenanceEntity{
		source(fhirout.SystemBatch, m.BatchID, fmt.Sprintf("batch %s of schema %s, %d rows, from agency %s", m.BatchID, m.Schema, m.Rows, m.Agency)),
		source(fhirout.SystemMerkleRoot, m.MerkleRoot, "the batch's Merkle root"),
		source(fhirout.SystemBlock, strconv.FormatInt(b.Height, 10), fmt.Sprintf("block %d (hash %s) of chain %s", b.Height, hash, p.ChainID)),
	}), nil
}
