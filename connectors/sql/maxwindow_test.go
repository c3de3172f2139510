package sql

import (
	"slices"
	"testing"
	"time"
)

// A backlog of three days with max_window 24h is read one day a run, in
// order, each row once; a run after the backlog finds nothing new.
func TestMaxWindow(t *testing.T) {
	allDrivers(t, func(t *testing.T, db *testDB) {
		table := patientsTable(t, db)
		insertPatients(t, db, table, ids(1, 3), "2024-03-01 08:00:00")
		insertPatients(t, db, table, ids(4, 6), "2024-03-02 07:00:00") // within 24h of the first row
		insertPatients(t, db, table, ids(7, 9), "2024-03-02 09:00:00") // past it
		insertPatients(t, db, table, ids(10, 12), "2024-03-05 12:00:00")
		cfg := patientConfig(table)
		cfg.MaxWindow = "24h"
		c := db.connector(t, cfg, time.UTC)
		var w []byte
		for i, want := range [][]int{ids(1, 6), ids(7, 9), ids(10, 12), nil} {
			got, next := run(t, c, w)
			if slices.Compare(refs(got), wantRefs(table, want...)) != 0 {
				t.Fatalf("run %d read %v, want %v", i+1, refs(got), wantRefs(table, want...))
			}
			w = next
		}
		cfg.MaxWindow = "soon"
		if err := cfg.Validate(); err == nil {
			t.Error("max_window \"soon\" accepted")
		}
	})
}
