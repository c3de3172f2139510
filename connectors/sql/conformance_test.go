package sql

import (
	"fmt"
	"testing"

	"github.com/healthanchor/healthanchor/connectors"
	"github.com/healthanchor/healthanchor/connectors/connectortest"
)

// The conformance kit passes for every driver, with a look-back on.
func TestConformance(t *testing.T) {
	allDrivers(t, func(t *testing.T, db *testDB) {
		good := patientsTable(t, db)
		insertPatients(t, db, good, ids(1, 12), "2024-03-01 09:00:00")
		insertPatients(t, db, good, ids(13, 30), "2024-03-01 10:30:00")
		bad := patientsTable(t, db)
		insertPatients(t, db, bad, ids(1, 5), "2024-03-01 09:00:00")
		db.exec(t, fmt.Sprintf(`UPDATE %s SET dob = '0000-00-00' WHERE id = 2`, bad))
		db.exec(t, fmt.Sprintf(`UPDATE %s SET dob = '1980-13-45' WHERE id = 4`, bad))
		open := func(table string) func(t *testing.T) connectors.Connector {
			return func(t *testing.T) connectors.Connector {
				cfg := patientConfig(table)
				cfg.Lookback = "2h"
				return db.connector(t, cfg, nil)
			}
		}
		connectortest.Run(t, connectortest.Case{
			Open:    open(good),
			Rows:    map[string]int{"patient/1": 30},
			OpenBad: open(bad),
		})
	})
}

// The connector is registered under "sql" and opens from raw options as
// `preview --set` gives them.
func TestRegistered(t *testing.T) {
	db := openTestDB(t, SQLite)
	table := patientsTable(t, db)
	insertPatients(t, db, table, ids(1, 3), "2024-03-01 09:00:00")
	opts, err := connectors.ParseSet([]string{"driver=sqlite", "dsn=" + db.dsn, "table=" + table,
		"watermark=updated_at", "key=id", "mapping.patient_id=mrn", "lookback=15m", "chunk_size=2"})
	if err != nil {
		t.Fatal(err)
	}
	c, err := connectors.Open("sql", opts, connectors.Env{})
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := run(t, c, nil); len(got) != 3 {
		t.Errorf("read %d rows, want 3", len(got))
	}
	if _, err := connectors.Open("sql", connectors.Options{"driver": "sqlite", "dns": "x"}, connectors.Env{}); err == nil {
		t.Error("a misspelt option was accepted")
	}
}
