package batchfile

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// TestReadTextColumn reads one column of a file spanning several record
// batches and compares each value and row number with the full read; a
// missing column is reported as such, and a column of another kind is
// an error.
func TestReadTextColumn(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "b.parquet")
	writeBatch(t, path, samplePatients(DefaultBatchRows+1000), 4096)
	var want []string
	if _, err := Read(ctx, path, func(row int64, canonical []byte, _ [32]byte) error {
		var rec map[string]*string
		if err := json.Unmarshal(canonical, &rec); err != nil {
			return err
		}
		v := ""
		if p := rec["given_name"]; p != nil {
			v = *p
		}
		want = append(want, v)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	var got []string
	calls := 0
	found, err := ReadTextColumn(ctx, path, "given_name", func(first int64, values []string) error {
		if first != int64(len(got)) {
			t.Errorf("call %d starts at row %d, want %d", calls, first, len(got))
		}
		calls++
		for _, v := range values { // valid only during the call
			got = append(got, strings.Clone(v))
		}
		return nil
	})
	if err != nil || !found {
		t.Fatalf("given_name: found %v, %v", found, err)
	}
	if calls < 2 || len(got) != len(want) {
		t.Fatalf("%d values in %d calls, want %d values in several", len(got), calls, len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("row %d: %q, want %q (null as \"\")", i, got[i], want[i])
		}
	}
	if found, err := ReadTextColumn(ctx, path, "no_such_column", func(int64, []string) error {
		t.Error("called for a missing column")
		return nil
	}); found || err != nil {
		t.Errorf("missing column: found %v, %v", found, err)
	}
	if _, err := ReadTextColumn(ctx, path, "birth_date", func(int64, []string) error { return nil }); err == nil {
		t.Error("a date column read as text")
	}
}
