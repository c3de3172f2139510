package sql

import (
	"fmt"
	"strings"
	"testing"

	"github.com/healthanchor/healthanchor/connectors"
)

// Every page of a Read sees the snapshot its first statement saw: a row
// inserted and a row updated by another connection while the window is
// being read (between its pages) are left to the next run.
func TestSnapshotAcrossPages(t *testing.T) {
	allDrivers(t, func(t *testing.T, db *testDB) {
		table := patientsTable(t, db)
		insertPatients(t, db, table, ids(1, 10), "2024-03-01 08:00:00")
		insertPatients(t, db, table, ids(30, 40), "2024-03-01 10:00:00")
		c := db.connector(t, patientConfig(table), nil) // 4 rows a page
		to, err := c.Plan(t.Context(), nil)
		if err != nil {
			t.Fatal(err)
		}
		var got []connectors.Record
		err = c.Read(t.Context(), nil, to, func(r connectors.Record) error {
			if len(got) == 0 { // the later pages are not queried yet
				insertPatients(t, db, table, []int{20}, "2024-03-01 09:00:00")
				db.exec(t, fmt.Sprintf(`UPDATE %s SET nom = 'Changed' WHERE id = 40`, table))
			}
			got = append(got, r)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		want := wantRefs(table, append(ids(1, 10), ids(30, 40)...)...)
		if g := strings.Join(refs(got), ","); g != strings.Join(want, ",") {
			t.Fatalf("read %s\nwant %s", g, strings.Join(want, ","))
		}
		if g := col(t, got[len(got)-1], "family_name"); g != "Patient 40" {
			t.Errorf("id=40 family_name = %q, want the snapshot's %q", g, "Patient 40")
		}
	})
}
