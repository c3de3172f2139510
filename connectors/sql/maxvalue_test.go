package sql

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/healthanchor/healthanchor/connectors"
)

// A row holding a value over max_value_bytes is one reject naming the
// row, the column and the limit, with each value cut to 64 KiB in its
// raw; the rows around it are read.
func TestMaxValueBytes(t *testing.T) {
	allDrivers(t, func(t *testing.T, db *testDB) {
		table := db.table(t, "patients")
		text := "TEXT"
		if db.driver == MySQL {
			text = "LONGTEXT" // TEXT holds at most 64 KiB
		}
		db.exec(t, fmt.Sprintf(`CREATE TABLE %s (id INTEGER PRIMARY KEY, mrn VARCHAR(20), nom %s,
			dob VARCHAR(20), updated_at %s NOT NULL)`, table, text, db.ts()))
		insertPatients(t, db, table, ids(1, 1), "2024-03-01 08:00:00")
		db.exec(t, fmt.Sprintf(`INSERT INTO %s (id, mrn, nom, dob, updated_at) VALUES (2, 'MRN0002', '%s', '1970-01-02', '2024-03-01 08:00:00')`,
			table, strings.Repeat("x", 200<<10)))
		insertPatients(t, db, table, ids(3, 3), "2024-03-01 08:00:00")
		cfg := patientConfig(table)
		cfg.MaxValueBytes = 100 << 10
		got, _ := run(t, db.connector(t, cfg, time.UTC), nil)
		if len(got) != 3 || got[0].Reject != nil || got[2].Reject != nil || got[1].Reject == nil {
			t.Fatalf("records %q, want row, reject, row", refs(got))
		}
		rej := got[1].Reject
		want := table + " id=2 nom: value of more than 102400 bytes (max_value_bytes)"
		if !strings.HasPrefix(rej.Reason, want) {
			t.Errorf("reason %q, want it to start with %q", rej.Reason, want)
		}
		if len(rej.Raw) > connectors.OversizeHead+200 {
			t.Errorf("raw holds %d bytes, want the value cut to %d", len(rej.Raw), connectors.OversizeHead)
		}
	})
}
