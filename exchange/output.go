package exchange

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/healthanchor/healthanchor/anchor"
	"github.com/healthanchor/healthanchor/internal/fhirout"
	"github.com/healthanchor/healthanchor/internal/fsutil"
)

// Output says what Write writes besides the Parquet files and proofs.
type Output struct {
	// FHIR, when set, is the fetch's FHIR R4 rendering (RenderFHIR),
	// written under fhir/: one NDJSON file per resource type and
	// manifest.json, as `export fhir` writes them.
	FHIR *FHIR
	// Request and Now are the FHIR output manifest's request (the
	// command line) and transactionTime.
	Request string
	Now     time.Time
}

// FHIRDir is the folder of the FHIR output inside a fetch's folder.
const FHIRDir = "fhir"

// Write puts a verified fetch into dir, which must not exist: one
// Parquet file per batch (BATCH.parquet, the records' canonical columns
// as text, _salt and _schema included, so that every record's leaf is
// rebuilt from the file alone), one proof bundle per record
// (proofs/BATCH-ROW.json, docs/proof.md) and, when out.FHIR is set, the
// FHIR rendering under fhir/. It writes into a temporary folder beside dir,
// syncs every file and renames the folder at the end, so a fetch killed
// midway leaves nothing under dir.
func Write(dir string, got Fetched, out Output) error {
	st, err := NewStaging(dir)
	if err != nil {
		return err
	}
	defer st.Remove()
	if err := st.Put(got, out); err != nil {
		return err
	}
	return st.Commit()
}

// Staging is the temporary folder a fetch is written into, beside its
// output folder and renamed to it once everything is in (Commit), so
// that a fetch killed midway leaves nothing under the output folder.
type Staging struct {
	Dir  string // the temporary folder, .OUT.partial-* beside OUT
	dest string
}

// NewStaging makes the temporary folder of output folder dest, which
// must not exist, with its proofs/ folder.
func NewStaging(dest string) (*Staging, error) {
	if _, err := os.Stat(dest); err == nil {
		return nil, fmt.Errorf("exchange: %s already exists: choose a new --out folder", dest)
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("exchange: %w", err)
	}
	parent := filepath.Dir(dest)
	if err := os.MkdirAll(parent, 0o700); err != nil {
		return nil, fmt.Errorf("exchange: %w", err)
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(dest)+".partial-")
	if err != nil {
		return nil, fmt.Errorf("exchange: %w", err)
	}
	if err := os.Mkdir(filepath.Join(tmp, "proofs"), 0o700); err != nil {
		os.RemoveAll(tmp)
		return nil, fmt.Errorf("exchange: %w", err)
	}
	return &Staging{Dir: tmp, dest: dest}, nil
}

// Remove deletes the temporary folder and what it holds; after Commit
// there is nothing left to remove.
func (st *Staging) Remove() { os.RemoveAll(st.Dir) }

// Put writes a verified fetch into the temporary folder. A whole-batch
// fetch (got.Batch set) has its batch file there already: Put adds its
// batch bundle, proofs/BATCH.json. Otherwise it writes one Parquet file
// per batch and one bundle per record. The FHIR rendering, when
// out.FHIR is set, goes under fhir/.
func (st *Staging) Put(got Fetched, out Output) error {
	tmp := st.Dir
	if got.Batch != nil {
		if err := writeBundle(filepath.Join(tmp, "proofs", got.Batch.Manifest.BatchID+".json"), *got.Batch); err != nil {
			return err
		}
	} else {
		byBatch := map[string][]string{}
		var order []string
		for _, p := range got.Proofs {
			if err := writeBundle(filepath.Join(tmp, "proofs", fmt.Sprintf("%s-%d.json", p.Manifest.BatchID, p.Record.Index)), p); err != nil {
				return err
			}
			id := p.Manifest.BatchID
			if _, ok := byBatch[id]; !ok {
				order = append(order, id)
			}
			byBatch[id] = append(byBatch[id], p.Record.Canonical)
		}
		for _, id := range order {
			if err := writeParquet(filepath.Join(tmp, id+".parquet"), byBatch[id]); err != nil {
				return err
			}
		}
	}
	if out.FHIR != nil {
		if err := writeFHIR(filepath.Join(tmp, FHIRDir), *out.FHIR, out); err != nil {
			return err
		}
	}
	return nil
}

// Commit syncs the temporary folder, renames it to the output folder and
// syncs the parent.
func (st *Staging) Commit() error {
	for _, d := range []string{filepath.Join(st.Dir, "proofs"), st.Dir} {
		if err := fsutil.SyncDir(d); err != nil {
			return fmt.Errorf("exchange: %w", err)
		}
	}
	if err := os.Rename(st.Dir, st.dest); err != nil {
		return fmt.Errorf("exchange: %w", err)
	}
	if err := fsutil.SyncDir(filepath.Dir(st.dest)); err != nil {
		return fmt.Errorf("exchange: %w", err)
	}
	return nil
}

// writeBundle writes one proof bundle (patient data: mode 0600).
func writeBundle(name string, p anchor.Proof) error {
	b, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return fmt.Errorf("exchange: proof: %w", err)
	}
	if err := fsutil.WriteNew(name, append(b, '\n'), 0o600); err != nil {
		return fmt.Errorf("exchange: %w", err)
	}
	return nil
}

// writeFHIR writes the rendering into dir: <Type>.ndjson for each type
// with resources (patient data: mode 0600), then manifest.json.
func writeFHIR(dir string, f FHIR, out Output) error {
	if err := os.Mkdir(dir, 0o700); err != nil {
		return fmt.Errorf("exchange: %w", err)
	}
	man := fhirout.NewManifest(out.Now, out.Request)
	for _, typ := range FHIRTypes {
		if len(f.Resources[typ]) == 0 {
			continue
		}
		if err := man.WriteType(dir, typ, 0o600, f.Resources[typ]); err != nil {
			return fmt.Errorf("exchange: fhir: %w", err)
		}
	}
	if err := man.Write(dir, 0o600); err != nil {
		return fmt.Errorf("exchange: fhir: %w", err)
	}
	if err := fsutil.SyncDir(dir); err != nil {
		return fmt.Errorf("exchange: %w", err)
	}
	return nil
}

// writeParquet writes canonical records (JSON objects of strings and
// nulls) as a Parquet file of nullable text columns, in key order.
func writeParquet(path string, records []string) error {
	rows := make([]map[string]*string, len(records))
	keys := map[string]bool{}
	for i, c := range records {
		if err := json.Unmarshal([]byte(c), &rows[i]); err != nil {
			return fmt.Errorf("exchange: %s: record %d: %w", path, i, err)
		}
		for k := range rows[i] {
			keys[k] = true
		}
	}
	names := make([]string, 0, len(keys))
	for k := range keys {
		names = append(names, k)
	}
	sort.Strings(names)
	fields := make([]arrow.Field, len(names))
	for i, n := range names {
		fields[i] = arrow.Field{Name: n, Type: arrow.BinaryTypes.String, Nullable: true}
	}
	sc := arrow.NewSchema(fields, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, sc)
	defer b.Release()
	for _, r := range rows {
		for i, n := range names {
			sb := b.Field(i).(*array.StringBuilder)
			if v := r[n]; v != nil {
				sb.Append(*v)
			} else {
				sb.AppendNull()
			}
		}
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("exchange: %w", err)
	}
	// The writer gets no Close method, so that the file is synced
	// before it is closed.
	w, err := pqarrow.NewFileWriter(sc, struct{ io.Writer }{f}, parquet.NewWriterProperties(parquet.WithCreatedBy("healthanchor fetch")), pqarrow.DefaultWriterProps())
	if err == nil {
		err = w.Write(rec)
		if cerr := w.Close(); err == nil {
			err = cerr
		}
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("exchange: %s: %w", path, err)
	}
	return nil
}
