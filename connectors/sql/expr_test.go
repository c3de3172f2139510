package sql

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// Mapping expressions and code tables fill columns from several source
// columns of every type; a code not in its table is a reject naming the
// value and the table, and the row's other values are not taken.
func TestMappingExpressions(t *testing.T) {
	allDrivers(t, func(t *testing.T, db *testDB) {
		name := db.table(t, "expr")
		db.exec(t, fmt.Sprintf(`CREATE TABLE %s (id INTEGER PRIMARY KEY, mrn VARCHAR(20), nom VARCHAR(60), prenom VARCHAR(60),
			sexe INTEGER, numero INTEGER, rue VARCHAR(60), ville VARCHAR(60), naissance DATE, updated_at %s NOT NULL)`, name, db.ts()))
		for _, row := range []string{
			`1, 'M1', 'Durand', 'Anne', 2, 12, 'rue des Lilas', 'lyon', '1980-02-29'`,
			`2, 'M2', 'Martin', NULL, 1, NULL, NULL, NULL, NULL`,
			`3, 'M3', 'Petit', 'Luc', 7, 3, 'place Bellecour', 'Lyon', '1990-01-01'`,
			`4, NULL, 'Roux', 'Eve', 9, 1, 'quai Rambaud', NULL, '2001-12-31'`,
		} {
			db.exec(t, fmt.Sprintf(`INSERT INTO %s VALUES (%s, '2024-03-01 08:00:00')`, name, row))
		}
		cfg := Config{Table: name, Watermark: "updated_at", Key: "id", Mapping: map[string]string{
			"patient_id":  "default(mrn, concat(\"ID-\", id))",
			"family_name": "upper(nom)",
			"given_name":  "prenom",
			"sex":         "code(sexe, sex)",
			"address":     `concat(numero, " ", rue)`,
			"city":        `default(upper(ville), "INCONNUE")`,
			"country":     `"FR"`,
			"death_date":  "naissance", // a date read as text and back
		}, CodeTables: map[string]map[string]string{"sex": {"1": "M", "2": "F", "9": "U"}}}
		got, _ := run(t, db.connector(t, cfg, time.UTC), nil)
		if len(got) != 4 {
			t.Fatalf("read %v, want 4 records", refs(got))
		}
		want := []map[string]string{
			{"patient_id": "M1", "family_name": "DURAND", "given_name": "Anne", "sex": "F", "address": "12 rue des Lilas", "city": "LYON", "country": "FR", "death_date": "1980-02-29"},
			{"patient_id": "M2", "family_name": "MARTIN", "given_name": "NULL", "sex": "M", "address": "NULL", "city": "INCONNUE", "country": "FR", "death_date": "NULL"},
			nil,
			{"patient_id": "ID-4", "family_name": "ROUX", "given_name": "Eve", "sex": "U", "address": "1 quai Rambaud", "city": "INCONNUE", "country": "FR", "death_date": "2001-12-31"},
		}
		for i, w := range want {
			for c, v := range w {
				if g := col(t, got[i], c); g != v {
					t.Errorf("row %d: %s = %q, want %q", i+1, c, g, v)
				}
			}
		}
		rej := got[2].Reject
		if rej == nil {
			t.Fatalf("row 3 (sexe 7) was not rejected")
		}
		wantReason := fmt.Sprintf(`%s id=3 sex (code(sexe, sex)): "7" is not in code table sex`, name)
		if rej.Reason != wantReason {
			t.Errorf("reject reason %q, want %q", rej.Reason, wantReason)
		}
		if !strings.Contains(string(rej.Raw), `"sexe":"7"`) {
			t.Errorf("reject raw %s does not hold the source value", rej.Raw)
		}
	})
}

// A column an expression reads must exist in the source.
func TestMappingExpressionUnknownColumn(t *testing.T) {
	db := openTestDB(t, SQLite)
	name := db.table(t, "exprcol")
	db.exec(t, fmt.Sprintf(`CREATE TABLE %s (id INTEGER PRIMARY KEY, mrn TEXT, updated_at DATETIME)`, name))
	cfg := Config{Table: name, Watermark: "updated_at", Key: "id", Mapping: map[string]string{
		"patient_id": "mrn", "city": "upper(ville)"}}
	_, err := db.connector(t, cfg, nil).Plan(t.Context(), nil)
	if err == nil || !strings.Contains(err.Error(), `mapping.city: table `+name+` has no column "ville"`) {
		t.Fatalf("Plan = %v, want an error naming mapping.city and the missing column", err)
	}
}
