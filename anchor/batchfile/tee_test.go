package batchfile

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/healthanchor/healthanchor/schemas"
)

// TestTee: Options.Tee receives the file's bytes exactly; a Tee that
// fails fails the file, which is removed.
func TestTee(t *testing.T) {
	dir := t.TempDir()
	var tee bytes.Buffer
	path := filepath.Join(dir, "b.parquet")
	w, err := Create(path, schemas.Patient, "batch-1", []byte("0123456789abcdef"), Options{BatchRows: 100, Tee: &tee})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range samplePatients(1000) {
		if err := w.Append(r); err != nil {
			t.Fatal(err)
		}
	}
	res, err := w.Close()
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(tee.Bytes(), data) || res.Size != int64(len(data)) {
		t.Errorf("the tee got %d bytes, the file has %d (size %d), or they differ", tee.Len(), len(data), res.Size)
	}

	broken := filepath.Join(dir, "broken.parquet")
	w, err = Create(broken, schemas.Patient, "batch-1", []byte("0123456789abcdef"), Options{BatchRows: 100, Tee: &failingWriter{after: 1000}})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range samplePatients(1000) {
		if err := w.Append(r); err != nil {
			break
		}
	}
	if _, err := w.Close(); !errors.Is(err, errTee) {
		t.Errorf("Close with a failing tee: %v, want its error", err)
	}
	if _, err := os.Stat(broken); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the file of a failed tee is still there: %v", err)
	}
}

var errTee = errors.New("the store went away")

// failingWriter takes its first after bytes, then fails.
type failingWriter struct{ after int }

func (f *failingWriter) Write(p []byte) (int, error) {
	if len(p) > f.after {
		return 0, errTee
	}
	f.after -= len(p)
	return len(p), nil
}
