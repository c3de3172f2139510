package sql

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// typesTable creates a table with one column of every source type the
// connector converts, one full row (id 1) and one of NULLs (id 2).
func typesTable(t *testing.T, db *testDB) string {
	t.Helper()
	name := db.table(t, "types")
	types := map[string][]string{
		Postgres: {"NUMERIC(10,2)", "INTEGER", "TEXT", "VARCHAR(40)", "DATE", "TIMESTAMP", "TIMESTAMPTZ", "BYTEA", "BOOLEAN"},
		MySQL:    {"DECIMAL(10,2)", "INT", "TEXT", "VARCHAR(40)", "DATE", "DATETIME(6)", "TIMESTAMP(6) NULL", "BLOB", "BOOLEAN"},
		SQLite:   {"NUMERIC", "INTEGER", "TEXT", "VARCHAR(40)", "DATE", "DATETIME", "TIMESTAMP", "BLOB", "BOOLEAN"},
	}[db.driver]
	db.exec(t, fmt.Sprintf(`CREATE TABLE %s (id INTEGER PRIMARY KEY, num %s, n %s, txt %s, vc %s, d %s, ts %s, tstz %s, bin %s, flag %s, updated_at %s)`,
		name, types[0], types[1], types[2], types[3], types[4], types[5], types[6], types[7], types[8], db.ts()))
	tstz, bin, flag := "'2024-05-06 07:08:09.123456+00'", `'\x00ff10'`, "TRUE"
	switch db.driver {
	case MySQL:
		tstz, bin = "'2024-05-06 07:08:09.123456'", "x'00ff10'" // stored by a UTC session
	case SQLite:
		tstz, bin, flag = "'2024-05-06T07:08:09.123456Z'", "x'00ff10'", "1"
	}
	db.exec(t, fmt.Sprintf(`INSERT INTO %s VALUES (1, 12.5, 42, 'Zoë ''quoted''', 'Ångström', '1980-02-29', '2024-05-06 09:08:09.5', %s, %s, %s, '2024-05-06 10:00:00')`,
		name, tstz, bin, flag))
	db.exec(t, fmt.Sprintf(`INSERT INTO %s (id, updated_at) VALUES (2, '2024-05-06 10:00:00')`, name))
	return name
}

// Every mapped source type converts to its canonical type, NULLs to
// null; naive timestamps are read in the job's zone.
func TestTypes(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	allDrivers(t, func(t *testing.T, db *testDB) {
		table := typesTable(t, db)
		cfg := Config{Table: table, Schema: "patient/1", Watermark: "updated_at", Key: "id", Mapping: map[string]string{
			"patient_id": "id", "family_name": "vc", "given_name": "txt", "birth_date": "d", "sex": "flag",
			"address": "num", "city": "bin", "postal_code": "n", "country": "tstz", "death_date": "ts", "updated_at": "ts",
		}}
		got, _ := run(t, db.connector(t, cfg, paris), nil)
		if len(got) != 2 {
			t.Fatalf("read %v, want 2 rows", refs(got))
		}
		sex := "true"
		if db.driver != Postgres {
			sex = "1" // BOOLEAN is an integer in MySQL and SQLite
		}
		country := "2024-05-06T07:08:09.123456Z"
		want := map[string]string{
			"patient_id": "1", "family_name": "Ångström", "given_name": "Zoë 'quoted'", "birth_date": "1980-02-29",
			"sex": sex, "address": "12.50", "city": "00ff10", "postal_code": "42", "country": country,
			"death_date": "2024-05-06", "updated_at": "2024-05-06T07:08:09.500000Z", // 09:08:09.5 in Paris (CEST)
		}
		if db.driver == SQLite {
			want["address"] = "12.5" // NUMERIC affinity stores a REAL
		}
		for name, w := range want {
			if g := col(t, got[0], name); g != w {
				t.Errorf("%s = %q, want %q", name, g, w)
			}
		}
		for name := range want {
			if name == "patient_id" {
				continue
			}
			if g := col(t, got[1], name); g != "NULL" {
				t.Errorf("NULL row: %s = %q, want NULL", name, g)
			}
		}
	})
}

// A legacy latin1 column holding accented names comes out as UTF-8.
func TestMySQLLatin1(t *testing.T) {
	db := openTestDB(t, MySQL)
	name := db.table(t, "latin1")
	db.exec(t, fmt.Sprintf(`CREATE TABLE %s (id INT PRIMARY KEY, mrn VARCHAR(20), nom VARCHAR(60), updated_at DATETIME NOT NULL) DEFAULT CHARSET=latin1`, name))
	names := []string{"Müller", "Françoise Lefèvre", "Núñez", "Øster"}
	for i, n := range names {
		db.exec(t, fmt.Sprintf(`INSERT INTO %s VALUES (?, ?, ?, '2024-01-01 00:00:00')`, name), i+1, fmt.Sprint("M", i), n)
	}
	var charset string
	if err := db.admin.QueryRow(`SELECT CHARACTER_SET_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND COLUMN_NAME = 'nom'`, name).Scan(&charset); err != nil || charset != "latin1" {
		t.Fatalf("column charset = %q (%v), want latin1", charset, err)
	}
	cfg := Config{Table: name, Watermark: "updated_at", Key: "id", Mapping: map[string]string{"patient_id": "mrn", "family_name": "nom"}}
	got, _ := run(t, db.connector(t, cfg, nil), nil)
	for i, r := range got {
		if g := col(t, r, "family_name"); g != names[i] {
			t.Errorf("row %d family_name = %q, want %q", i+1, g, names[i])
		}
	}
}

// MySQL zero dates and impossible dates become rejects naming the table,
// key and column; the other rows are read.
func TestZeroDates(t *testing.T) {
	allDrivers(t, func(t *testing.T, db *testDB) {
		table := db.table(t, "patients")
		dateType := map[string]string{Postgres: "VARCHAR(20)", MySQL: "DATE", SQLite: "DATE"}[db.driver]
		db.exec(t, fmt.Sprintf(`CREATE TABLE %s (id INTEGER PRIMARY KEY, mrn VARCHAR(20), dob %s, died %s, updated_at %s NOT NULL)`,
			table, dateType, db.ts(), db.ts()))
		db.exec(t, fmt.Sprintf(`INSERT INTO %s VALUES (41, 'A', '1970-01-01', NULL, '2024-01-01 00:00:00')`, table))
		db.exec(t, fmt.Sprintf(`INSERT INTO %s VALUES (42, 'B', '0000-00-00', NULL, '2024-01-01 00:00:00')`, table))
		if db.driver != Postgres {
			db.exec(t, fmt.Sprintf(`INSERT INTO %s VALUES (43, 'C', '1970-01-02', '0000-00-00 00:00:00', '2024-01-01 00:00:00')`, table))
		}
		if db.driver == SQLite {
			db.exec(t, fmt.Sprintf(`INSERT INTO %s VALUES (44, 'D', '1975-02-30', NULL, '2024-01-01 00:00:00')`, table))
		}
		cfg := Config{Table: table, Watermark: "updated_at", Key: "id", Mapping: map[string]string{"patient_id": "mrn", "birth_date": "dob", "death_date": "died"}}
		got, _ := run(t, db.connector(t, cfg, nil), nil)
		want := []string{
			table + " id=41",
			"reject: " + table + ` id=42 dob: "0000-00-00" is not a date`,
		}
		switch db.driver {
		case MySQL:
			want = append(want, "reject: "+table+` id=43 died: "0000-00-00 00:00:00.000000" is not a date`)
		case SQLite:
			want = append(want, "reject: "+table+` id=43 died: "0000-00-00 00:00:00" is not a date`)
		}
		if db.driver == SQLite {
			want = append(want, "reject: "+table+` id=44 dob: "1975-02-30" is not a date`)
		}
		if g := strings.Join(refs(got), "\n"); g != strings.Join(want, "\n") {
			t.Errorf("got\n%s\nwant\n%s", g, strings.Join(want, "\n"))
		}
		for _, r := range got {
			if r.Reject != nil && (r.Reject.Target != "patient/1" || !strings.Contains(string(r.Reject.Raw), "0000-00-00") && !strings.Contains(string(r.Reject.Raw), "1975-02-30")) {
				t.Errorf("reject %s: target %q raw %s", r.SourceRef, r.Reject.Target, r.Reject.Raw)
			}
		}
	})
}

// A job's timezone option decides the zone of naive timestamps, over the
// config's; instants keep theirs.
func TestTimezoneOption(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	allDrivers(t, func(t *testing.T, db *testDB) {
		table := typesTable(t, db)
		cfg := Config{Table: table, Schema: "patient/1", Watermark: "updated_at", Key: "id", Timezone: "America/New_York",
			Mapping: map[string]string{"patient_id": "id", "country": "tstz", "updated_at": "ts"}}
		got, _ := run(t, db.connector(t, cfg, paris), nil)
		if len(got) != 2 {
			t.Fatalf("read %v, want 2 rows", refs(got))
		}
		if g := col(t, got[0], "updated_at"); g != "2024-05-06T13:08:09.500000Z" { // 09:08:09.5 in New York (EDT)
			t.Errorf("naive timestamp = %q, want it read in New York", g)
		}
		if g := col(t, got[0], "country"); g != "2024-05-06T07:08:09.123456Z" {
			t.Errorf("instant = %q, want it unchanged", g)
		}
	})
	bad := Config{Driver: SQLite, DSN: "x.db", Table: "t", Watermark: "w", Key: "k", Timezone: "Mars/Olympus"}
	if err := bad.Validate(); err == nil || !strings.Contains(err.Error(), "timezone") {
		t.Errorf("an unknown zone gave %v", err)
	}
}
