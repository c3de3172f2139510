package schemas_test

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"

	"github.com/healthanchor/healthanchor/anchor/batchfile"
	"github.com/healthanchor/healthanchor/schemas"
)

// TestNewVersionKeepsOldBatches is the schema evolution rule as a test
// (docs/schemas.md): a patient/2 beside patient/1 has its own
// fingerprint, leaves patient/1's alone, and a patient/1 batch written
// before still reads back to the root it was anchored with, because a
// batch file is verified from its own columns, not from the registry.
func TestNewVersionKeepsOldBatches(t *testing.T) {
	before := schemas.Patient.Fingerprint()
	fields := append([]schemas.Field(nil), schemas.Patient.Fields[schemas.NumCommon:]...)
	fields = append(fields, schemas.Field{Name: "gender_identity", Kind: schemas.Text})
	v2 := schemas.New("patient", 2, fields...)
	if v2.ID() != "patient/2" || v2.Fingerprint() == before {
		t.Fatalf("patient/2: id %s, fingerprint %s (patient/1's is %s)", v2.ID(), v2.Fingerprint(), before)
	}
	if schemas.Patient.Fingerprint() != before {
		t.Fatal("defining patient/2 changed patient/1's fingerprint")
	}
	dir := t.TempDir()
	write := func(s *schemas.Schema, name string) batchfile.Result {
		w, err := batchfile.Create(filepath.Join(dir, name), s, "b-"+name, bytes.Repeat([]byte{7}, 32), batchfile.Options{})
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 3; i++ {
			row := s.NewRow()
			row[schemas.IdxSource] = schemas.TextValue("test")
			row[schemas.IdxSourceRef] = schemas.TextValue(name + string(rune('0'+i)))
			row[s.Index("patient_id")] = schemas.TextValue("P" + string(rune('0'+i)))
			if j := s.Index("gender_identity"); j >= 0 {
				row[j] = schemas.TextValue("X")
			}
			if err := w.Append(row); err != nil {
				t.Fatal(err)
			}
		}
		res, err := w.Close()
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	old := write(schemas.Patient, "v1.parquet")
	next := write(v2, "v2.parquet")
	for _, tc := range []struct {
		res    batchfile.Result
		schema *schemas.Schema
	}{{old, schemas.Patient}, {next, v2}} {
		sc, err := batchfile.Read(context.Background(), tc.res.Path, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(sc.Root, tc.res.Root) {
			t.Errorf("%s: root read back differs from the root written", tc.schema.ID())
		}
		if sc.Meta["healthanchor.schema"] != tc.schema.ID() || sc.Meta["healthanchor.fingerprint"] != tc.schema.Fingerprint() {
			t.Errorf("%s: footer names %s %s", tc.schema.ID(), sc.Meta["healthanchor.schema"], sc.Meta["healthanchor.fingerprint"])
		}
	}
}
