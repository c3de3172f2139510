package main

import (
	"database/sql"
	bin "encoding/binary"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// indexedRow is one record the patient index lists.
type indexedRow struct {
	patient, batch string
	row            int64
}

// indexedRows reads every record the patient index at path lists,
// decoding its bucket rows (docs/exchange.md).
func indexedRows(t *testing.T, path string) []indexedRow {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT b.batch_id, p.pairs FROM patient_buckets p JOIN batches b ON b.batch_no = p.batch_no`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []indexedRow
	for rows.Next() {
		var batch string
		var pairs []byte
		if err := rows.Scan(&batch, &pairs); err != nil {
			t.Fatal(err)
		}
		for len(pairs) > 0 {
			n, k := bin.Uvarint(pairs)
			id := string(pairs[k : k+int(n)])
			pairs = pairs[k+int(n):]
			row, k := bin.Uvarint(pairs)
			pairs = pairs[k:]
			out = append(out, indexedRow{id, batch, int64(row)})
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// toFormat1 rewrites the patient index at path in its first format (a
// row per record with the batch id, user_version 0), as an older
// release left it.
func toFormat1(t *testing.T, path string) {
	t.Helper()
	recs := indexedRows(t, path)
	execSQL(t, path, `CREATE TABLE patient_rows (
	patient_id TEXT NOT NULL,
	batch_id   TEXT NOT NULL,
	row        INTEGER NOT NULL,
	PRIMARY KEY (patient_id, batch_id, row)
) WITHOUT ROWID;
CREATE TABLE indexed_batches (batch_id TEXT PRIMARY KEY, rows INTEGER NOT NULL);
INSERT INTO indexed_batches SELECT batch_id, rows FROM batches;
DROP TABLE patient_buckets;
DROP TABLE batches;
PRAGMA user_version = 0;`)
	for _, r := range recs {
		execSQL(t, path, `INSERT INTO patient_rows VALUES (?, ?, ?)`, r.patient, r.batch, r.row)
	}
}

func execSQL(t *testing.T, path, query string, args ...any) {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

// erasureFiles is what erase --dry-run lists for patient, sorted.
func erasureFiles(t *testing.T, cfg, patient string) []string {
	t.Helper()
	var out []string
	for _, f := range dryRun(t, cfg, patient) {
		out = append(out, f.Path)
	}
	slices.Sort(out)
	return out
}

// TestIndexUpgradeAndCatchUp: a patient index of the first format is
// upgraded in place on first use, with a log line, and finds the same
// records; an index that lost a published batch (as a power loss after
// its last commit may leave it) indexes that batch again before a lookup,
// with a warning, and misses nothing.
func TestIndexUpgradeAndCatchUp(t *testing.T) {
	dir, cfg := newDeployment(t)
	index := filepath.Join(dir, "patients.db")
	patient := widePatients(t, dir, 1)[0]
	want := erasureFiles(t, cfg, patient)
	if len(want) < 2 {
		t.Fatalf("%s is in %d files, want several", patient, len(want))
	}
	rows := len(indexedRows(t, index))

	toFormat1(t, index)
	r := ha(t, nil, "--config", cfg, "erase", "--patient", patient, "--reason", "gdpr-art17", "--dry-run", "--json")
	mustCode(t, r, 0, "erase --dry-run on an index of the first format")
	if !strings.Contains(r.stderr, "patient index upgraded to the current format") {
		t.Errorf("no log line of the upgrade:\n%s", r.stderr)
	}
	if got := erasureFiles(t, cfg, patient); !slices.Equal(got, want) {
		t.Errorf("after the upgrade: %v, want %v", got, want)
	}
	if got := len(indexedRows(t, index)); got != rows {
		t.Errorf("after the upgrade the index holds %d rows, want %d", got, rows)
	}
	if v := sqlCount(t, index, `PRAGMA user_version`); v != 2 {
		t.Errorf("user_version %d after the upgrade, want 2", v)
	}

	execSQL(t, index, `DELETE FROM patient_buckets; DELETE FROM batches`)
	r = ha(t, nil, "--config", cfg, "erase", "--patient", patient, "--reason", "gdpr-art17", "--dry-run", "--json")
	mustCode(t, r, 0, "erase --dry-run on an emptied index")
	if !strings.Contains(r.stderr, "patient index lacked a published batch") {
		t.Errorf("no warning of the batches indexed again:\n%s", r.stderr)
	}
	if got := erasureFiles(t, cfg, patient); !slices.Equal(got, want) {
		t.Errorf("after losing the index: %v, want %v", got, want)
	}
	if got := len(indexedRows(t, index)); got != rows {
		t.Errorf("the index holds %d rows again, want %d", got, rows)
	}
}
