package lifecycle

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// ManifestFile is the name of the export's output manifest in its folder.
const ManifestFile = "manifest.json"

// BulkManifest is the export's output manifest, shaped as the FHIR Bulk
// Data $export status response: one output entry per NDJSON file. Its
// urls are file names relative to the manifest, so the folder can be
// moved or shipped whole.
type BulkManifest struct {
	TransactionTime     string     `json:"transactionTime"`
	Request             string     `json:"request"`
	RequiresAccessToken bool       `json:"requiresAccessToken"`
	Output              []BulkFile `json:"output"`
	Error               []BulkFile `json:"error"`
}

// BulkFile is one NDJSON file of the export: its resource type, its name
// and how many resources (lines) it holds.
type BulkFile struct {
	Type  string `json:"type"`
	URL   string `json:"url"`
	Count int    `json:"count"`
}

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
	man := BulkManifest{TransactionTime: e.Now.UTC().Format(time.RFC3339), Request: e.Request, Output: []BulkFile{}, Error: []BulkFile{}}
	for _, typ := range exportTypes {
		name := typ + ".ndjson"
		path := filepath.Join(dir, name)
		if len(res[typ]) == 0 {
			if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return BulkManifest{}, fmt.Errorf("lifecycle: export: %w", err)
			}
			continue
		}
		if err := writeNDJSON(path, res[typ]); err != nil {
			return BulkManifest{}, err
		}
		man.Output = append(man.Output, BulkFile{Type: typ, URL: name, Count: len(res[typ])})
	}
	data, err := json.MarshalIndent(man, "", "  ")
	if err != nil {
		return BulkManifest{}, fmt.Errorf("lifecycle: export: manifest: %w", err)
	}
	if err := writeAtomic(filepath.Join(dir, ManifestFile), func(w *bufio.Writer) error {
		_, err := w.Write(append(data, '\n'))
		return err
	}); err != nil {
		return BulkManifest{}, err
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
	return out, nil
}

func writeNDJSON(path string, resources []any) error {
	return writeAtomic(path, func(w *bufio.Writer) error {
		enc := json.NewEncoder(w) // one compact object, then a newline
		enc.SetEscapeHTML(false)
		for _, r := range resources {
			if err := enc.Encode(r); err != nil {
				return err
			}
		}
		return nil
	})
}

// writeAtomic writes path through a temporary file in its folder, synced
// and renamed over it.
func writeAtomic(path string, write func(*bufio.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("lifecycle: export: %w", err)
	}
	defer os.Remove(tmp.Name())
	w := bufio.NewWriter(tmp)
	err = write(w)
	if err == nil {
		err = w.Flush()
	}
	if err == nil {
		err = tmp.Chmod(0o644)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return fmt.Errorf("lifecycle: export: write %s: %w", path, err)
	}
	return nil
}
