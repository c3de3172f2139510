package batchfile

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/xitongsys/parquet-go/reader"
	"github.com/xitongsys/parquet-go/source"

	"github.com/healthanchor/healthanchor/schemas"
)

// osFile adapts *os.File to parquet-go's source.ParquetFile.
type osFile struct{ *os.File }

func (f osFile) Open(name string) (source.ParquetFile, error) {
	g, err := os.Open(f.Name())
	return osFile{g}, err
}
func (f osFile) Create(string) (source.ParquetFile, error) { return nil, fmt.Errorf("read only") }

// TestReadableByParquetGo opens a batch file with a second, independent
// Parquet implementation (xitongsys/parquet-go) and checks that every
// column holds the values we wrote, so that our files are not Arrow-only.
func TestReadableByParquetGo(t *testing.T) {
	path := filepath.Join(t.TempDir(), "b.parquet")
	rows := samplePatients(40)
	writeBatch(t, path, rows, 16)

	// What our own reader sees, as column -> canonical text per row.
	var want []map[string]any
	if _, err := Read(context.Background(), path, func(_ int64, canonical []byte, _ [32]byte) error {
		var m map[string]any
		if err := json.Unmarshal(canonical, &m); err != nil {
			return err
		}
		want = append(want, m)
		return nil
	}); err != nil {
		t.Fatal(err)
	}

	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	pr, err := reader.NewParquetColumnReader(osFile{f}, 1)
	if err != nil {
		t.Fatalf("parquet-go cannot open the file: %v", err)
	}
	defer pr.ReadStop()
	if got := pr.GetNumRows(); got != int64(len(rows)) {
		t.Fatalf("parquet-go sees %d rows, want %d", got, len(rows))
	}
	root := pr.SchemaHandler.GetRootExName()
	for _, field := range schemas.Patient.Fields {
		in, ok := pr.SchemaHandler.ExPathToInPath[root+"\x01"+field.Name]
		if !ok {
			t.Fatalf("parquet-go finds no column %s (columns: %v)", field.Name, pr.SchemaHandler.ValueColumns)
		}
		values, _, _, err := pr.ReadColumnByPath(in, int64(len(rows)))
		if err != nil {
			t.Fatalf("column %s: %v", field.Name, err)
		}
		if len(values) != len(rows) {
			t.Fatalf("column %s: %d values, want %d", field.Name, len(values), len(rows))
		}
		for i, v := range values {
			got := parquetGoText(field, v)
			if w := want[i][field.Name]; fmt.Sprint(w) != fmt.Sprint(got) {
				t.Errorf("row %d column %s: parquet-go reads %v, we wrote %v", i, field.Name, got, w)
			}
		}
	}
}

// parquetGoText turns a parquet-go value into its canonical text, as the
// leaf encoding would write it.
func parquetGoText(f schemas.Field, v any) any {
	if v == nil {
		return nil
	}
	var val schemas.Value
	switch x := v.(type) {
	case string:
		val = schemas.TextValue(x)
	case int32:
		val = schemas.IntValue(int64(x))
	case int64:
		val = schemas.IntValue(x)
	case bool:
		val = schemas.BoolValue(x)
	default:
		return fmt.Sprintf("%T %v", v, v)
	}
	s, _ := f.Format(val)
	return s
}
