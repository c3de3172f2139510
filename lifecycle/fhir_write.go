package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/healthanchor/healthanchor/internal/fhirout"
)

// ManifestFile is the name of the export's output manifest in its folder.
const ManifestFile = fhirout.ManifestFile

// BulkManifest is the export's output manifest (fhirout.BulkManifest).
type BulkManifest = fhirout.BulkManifest

// BulkFile is one NDJSON file of the export (fhirout.BulkFile).
type BulkFile = fhirout.BulkFile

// exportTypes are the resource types the export writes, in file order.
var exportTypes = []string{"DocumentReference", "Provenance", "AuditEvent"}

// WriteFHIR writes the export into dir (created if needed): one NDJSON
// file per resource type that has resources (<Type>.ndjson, one resource
// a line), then manifest.json. Each file is written to a temporary name
// and renamed, the manifest last, so a reader that finds the manifest
// finds every file it names complete; a file of an earlier export whose
// type is now empty is removed.
func WriteFHIR(ctx context.Context, dir string, e FHIRExport) (BulkManifest, error) {
	if e.Now.IsZero() {
		e.Now = time.Now()
	}
	res, err := e.resources(ctx)
	if err != nil {
		return BulkManifest{}, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return BulkManifest{}, fmt.Errorf("lifecycle: export: %w", err)
	}
	man := fhirout.NewManifest(e.Now, e.Request)
	for _, typ := range exportTypes {
		path := filepath.Join(dir, typ+".ndjson")
		if len(res[typ]) == 0 {
			if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return BulkManifest{}, fmt.Errorf("lifecycle: export: %w", err)
			}
			continue
		}
		if err := man.WriteType(dir, typ, 0o644, res[typ]); err != nil {
			return BulkManifest{}, fmt.Errorf("lifecycle: export: %w", err)
		}
	}
	if err := man.Write(dir, 0o644); err != nil {
		return BulkManifest{}, fmt.Errorf("lifecycle: export: %w", err)
	}
	return man, nil
}

// resources maps the export's inputs to FHIR resources, by type.
func (e *FHIRExport) resources(ctx context.Context) (map[string][]any, error) {
	batches, err := e.batches(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string][]any{}
	for _, b := range batches {
		out["DocumentReference"] = append(out["DocumentReference"], documentReference(e.Agency, b))
		out["Provenance"] = append(out["Provenance"], provenance(e.Agency, b))
	}
	chainID := e.Chain.ChainID()
	for _, r := range e.Runs {
		if ev, ok := runEvent(chainID, e.Agency, r); ok && e.inPeriod(r.StartedAt) {
			out["AuditEvent"] = append(out["AuditEvent"], ev)
		}
	}
	for _, v := range e.Verifications {
		out["AuditEvent"] = append(out["AuditEvent"], verifyEvent(chainID, e.Agency, v))
	}
	entries, err := e.entryEvents(ctx)
	if err != nil {
		return nil, err
	}
	out["AuditEvent"] = append(out["AuditEvent"], entries...)
	return out, nil
}
