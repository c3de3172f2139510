package patientindex

import (
	"context"
	"path/filepath"
	"slices"
	"testing"

	"github.com/healthanchor/healthanchor/anchor"
)

// v1 is the index's first format: the batch id in every row.
const v1 = `CREATE TABLE patient_rows (
	patient_id TEXT NOT NULL,
	batch_id   TEXT NOT NULL,
	row        INTEGER NOT NULL,
	PRIMARY KEY (patient_id, batch_id, row)
) WITHOUT ROWID;
CREATE TABLE indexed_batches (
	batch_id TEXT PRIMARY KEY,
	rows     INTEGER NOT NULL
);
INSERT INTO indexed_batches VALUES ('b2', 1), ('b1', 3);
INSERT INTO patient_rows VALUES ('P1', 'b1', 0), ('P2', 'b1', 1), ('P1', 'b1', 2), ('P1', 'b2', 0);`

// TestUpgradeV1: opening an index of the first format upgrades it in
// place, keeping every row and batch, once.
func TestUpgradeV1(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), FileName)
	db, err := anchor.OpenDB(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(v1); err != nil {
		t.Fatal(err)
	}
	db.Close()
	for i, want := range []int64{4, -1} {
		x, err := Open(path)
		if err != nil {
			t.Fatal(err)
		}
		if x.Upgraded != want {
			t.Errorf("open %d: upgraded %d rows, want %d", i+1, x.Upgraded, want)
		}
		got, err := x.Lookup(ctx, "P1")
		if w := []Location{{"b1", 0}, {"b1", 2}, {"b2", 0}}; err != nil || !slices.Equal(got, w) {
			t.Errorf("open %d: P1 = %v, %v; want %v", i+1, got, err, w)
		}
		b, err := x.Batches(ctx)
		if err != nil || len(b) != 2 || !b["b1"] || !b["b2"] {
			t.Errorf("open %d: batches %v, %v", i+1, b, err)
		}
		x.Close()
	}
}

// TestNewerFormat: a file of a format this program does not know is
// refused, not overwritten.
func TestNewerFormat(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	db, err := anchor.OpenDB(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`PRAGMA user_version = 99`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if x, err := Open(path); err == nil {
		x.Close()
		t.Fatal("an index of format 99 opened")
	}
}

// TestReset: a reset index holds nothing, and takes batches again.
func TestReset(t *testing.T) {
	ctx := context.Background()
	x, err := Open(filepath.Join(t.TempDir(), FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	path := writeBatch(t, "b1", "P1", "P2")
	if _, err := x.Add(ctx, "b1", path); err != nil {
		t.Fatal(err)
	}
	if err := x.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	if got, _ := x.Lookup(ctx, "P1"); len(got) != 0 {
		t.Errorf("P1 after reset: %v", got)
	}
	if b, _ := x.Batches(ctx); len(b) != 0 {
		t.Errorf("batches after reset: %v", b)
	}
	if n, err := x.Add(ctx, "b1", path); err != nil || n != 2 {
		t.Errorf("add after reset: %d, %v", n, err)
	}
}
