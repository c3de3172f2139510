package fhirout

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// ManifestFile is the name of the output manifest in an output folder.
const ManifestFile = "manifest.json"

// BulkManifest is an output manifest, shaped as the FHIR Bulk Data
// $export status response: one output entry per NDJSON file. Its urls are
// file names relative to the manifest, so the folder can be moved or
// shipped whole.
type BulkManifest struct {
	TransactionTime     string     `json:"transactionTime"`
	Request             string     `json:"request"`
	RequiresAccessToken bool       `json:"requiresAccessToken"`
	Output              []BulkFile `json:"output"`
	Error               []BulkFile `json:"error"`
}

// BulkFile is one NDJSON file of an output: its resource type, its name
// and how many resources (lines) it holds.
type BulkFile struct {
	Type  string `json:"type"`
	URL   string `json:"url"`
	Count int    `json:"count"`
}

// NewManifest starts the manifest of an output made at now for request.
func NewManifest(now time.Time, request string) BulkManifest {
	return BulkManifest{TransactionTime: now.UTC().Format(time.RFC3339), Request: request, Output: []BulkFile{}, Error: []BulkFile{}}
}

// WriteType writes resources of type typ as dir/<typ>.ndjson (one compact
// JSON object a line) with mode perm and adds the file to m.
func (m *BulkManifest) WriteType(dir, typ string, perm os.FileMode, resources []any) error {
	name := typ + ".ndjson"
	if err := WriteNDJSON(filepath.Join(dir, name), perm, resources); err != nil {
		return err
	}
	m.Output = append(m.Output, BulkFile{Type: typ, URL: name, Count: len(resources)})
	return nil
}

// Write writes m as dir/manifest.json with mode perm; an output writes it
// last, so a reader that finds the manifest finds every file it names
// complete.
func (m BulkManifest) Write(dir string, perm os.FileMode) error {
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("fhirout: manifest: %w", err)
	}
	return WriteAtomic(filepath.Join(dir, ManifestFile), perm, func(w *bufio.Writer) error {
		_, err := w.Write(append(data, '\n'))
		return err
	})
}

// WriteNDJSON writes resources to path, one compact JSON object a line,
// through WriteAtomic.
func WriteNDJSON(path string, perm os.FileMode, resources []any) error {
	return WriteAtomic(path, perm, func(w *bufio.Writer) error {
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

// WriteAtomic writes path with mode perm through a temporary file in its
// folder, synced and renamed over it.
func WriteAtomic(path string, perm os.FileMode, write func(*bufio.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("fhirout: %w", err)
	}
	defer os.Remove(tmp.Name())
	w := bufio.NewWriter(tmp)
	err = write(w)
	if err == nil {
		err = w.Flush()
	}
	if err == nil {
		err = tmp.Chmod(perm)
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
		return fmt.Errorf("fhirout: write %s: %w", path, err)
	}
	return nil
}
