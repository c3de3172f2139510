package sql

import (
	"context"
	dbsql "database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/healthanchor/healthanchor/connectors"
)

// A connection killed in the middle of a read fails the read; the next
// run, from the same watermark, reads every row exactly once.
func TestConnectionKilled(t *testing.T) {
	for _, driver := range []string{Postgres, MySQL} {
		t.Run(driver, func(t *testing.T) {
			db := openTestDB(t, driver)
			table := patientsTable(t, db)
			insertPatients(t, db, table, ids(1, 40), "2024-03-01 09:00:00")
			c := db.connector(t, patientConfig(table), nil)
			_, w1 := run(t, c, nil)
			insertPatients(t, db, table, ids(41, 120), "2024-03-02 09:00:00")

			var backend int64
			testHookSnapshot = func(ctx context.Context, conn *dbsql.Conn) {
				q := "SELECT pg_backend_pid()"
				if driver == MySQL {
					q = "SELECT CONNECTION_ID()"
				}
				if err := conn.QueryRowContext(ctx, q).Scan(&backend); err != nil {
					t.Errorf("%s: %v", q, err)
				}
			}
			t.Cleanup(func() { testHookSnapshot = nil })
			to, err := c.Plan(t.Context(), w1)
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			err = c.Read(t.Context(), w1, to, func(connectors.Record) error {
				n++
				if n == 10 {
					kill := "SELECT pg_terminate_backend($1)"
					if driver == MySQL {
						kill = "KILL ?"
					}
					db.exec(t, kill, backend)
					time.Sleep(200 * time.Millisecond)
				}
				return nil
			})
			if err == nil {
				t.Fatalf("Read survived its connection being killed (%d rows)", n)
			}
			t.Logf("killed after %d rows: %v", n, err)
			testHookSnapshot = nil

			got, w2 := run(t, c, w1)
			if want := wantRefs(table, ids(41, 120)...); strings.Join(refs(got), ",") != strings.Join(want, ",") {
				t.Fatalf("resumed run = %v", refs(got))
			}
			if got, _ := run(t, c, w2); len(got) != 0 {
				t.Errorf("run after the resume read %d rows again", len(got))
			}
		})
	}
}

// Configuration faults name the problem and never show the password.
func TestConfigFaults(t *testing.T) {
	dir := t.TempDir()
	pwFile := filepath.Join(dir, "pw")
	if err := os.WriteFile(pwFile, []byte("Fil3Secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	pg := openTestDB(t, Postgres)
	my := openTestDB(t, MySQL)
	pgTable := patientsTable(t, pg)
	t.Setenv("HA_TEST_DB_PASSWORD", "EnvS3cret")
	t.Setenv("HA_TEST_PW_HUNTER", "Hunter2pw")
	cases := []struct {
		name, driver, dsn, pwFile, table string
		want                             string
		secrets                          []string
	}{
		{"unreachable", Postgres, "postgres://postgres:${HA_TEST_PW_HUNTER}@127.0.0.1:1/test?connect_timeout=2", "", pgTable,
			"connect to postgres", []string{"Hunter2pw"}},
		{"bad dsn", Postgres, "postgres://postgres:${HA_TEST_PW_HUNTER}@127.0.0.1:notaport/test", "", pgTable,
			"dsn", []string{"Hunter2pw"}},
		{"missing table", Postgres, pg.dsn, "", "no_such_table_here",
			"no_such_table_here", nil},
		{"password file", Postgres, "postgres://postgres@127.0.0.1:1/test?connect_timeout=2", pwFile, pgTable,
			"connect to postgres", []string{"Fil3Secret"}},
		{"wrong password", MySQL, "root:${HA_TEST_DB_PASSWORD}@tcp(127.0.0.1:3306)/test", "", "t",
			"Access denied", []string{"EnvS3cret"}},
		{"unset variable", MySQL, "root:${HA_TEST_NOT_SET}@tcp(127.0.0.1:3306)/test", "", "t",
			"HA_TEST_NOT_SET is not set", nil},
		{"mysql bad dsn", MySQL, "root:${HA_TEST_PW_HUNTER}@127.0.0.1:3306/test", "", "t",
			"dsn", []string{"Hunter2pw"}},
		{"missing sqlite file", SQLite, filepath.Join(dir, "absent.db"), "", "t",
			"no such file", nil},
	}
	_ = my
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := New(Config{Driver: tc.driver, DSN: tc.dsn, PasswordFile: tc.pwFile, Table: tc.table,
				Watermark: "updated_at", Key: "id", Mapping: map[string]string{"patient_id": "mrn"}}, connectors.Env{})
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
			defer cancel()
			_, err = c.Plan(ctx, nil)
			if err == nil {
				t.Fatal("Plan succeeded")
			}
			msg := err.Error()
			t.Log(msg)
			if !strings.HasPrefix(msg, "sql: ") || !strings.Contains(msg, tc.want) {
				t.Errorf("error %q does not start with sql: and name %q", msg, tc.want)
			}
			for _, s := range tc.secrets {
				if strings.Contains(msg, s) || strings.Contains(fmt.Sprintf("%+v", err), s) {
					t.Errorf("error shows the password: %s", msg)
				}
			}
		})
	}
}

func TestValidate(t *testing.T) {
	ok := Config{Driver: "postgres", DSN: "x", Table: "t", Watermark: "w", Key: "k"}
	for _, tc := range []struct {
		name string
		edit func(*Config)
		want string
	}{
		{"no driver", func(c *Config) { c.Driver = "" }, "driver"},
		{"bad driver", func(c *Config) { c.Driver = "oracle" }, "driver"},
		{"no dsn", func(c *Config) { c.DSN = "" }, "dsn"},
		{"table and query", func(c *Config) { c.Query = "SELECT 1" }, "not both"},
		{"neither", func(c *Config) { c.Table = "" }, "table or query"},
		{"bad table", func(c *Config) { c.Table = "t; drop" }, "table"},
		{"write query", func(c *Config) { c.Table, c.Query = "", "DELETE FROM t" }, "SELECT"},
		{"two statements", func(c *Config) { c.Table, c.Query = "", "SELECT 1; SELECT 2" }, "one statement"},
		{"select into", func(c *Config) { c.Table, c.Query = "", "SELECT * INTO x FROM t" }, "read-only"},
		{"no key", func(c *Config) { c.Key = "" }, "key"},
		{"bad mapping", func(c *Config) { c.Mapping = map[string]string{"nope": "x"} }, "mapping"},
		{"bad expression", func(c *Config) { c.Mapping = map[string]string{"sex": "code(sexe"} }, "mapping.sex"},
		{"unknown code table", func(c *Config) { c.Mapping = map[string]string{"sex": "code(sexe, sex)"} }, `mapping.sex: code table "sex" is not in codes`},
		{"expression over a non-column", func(c *Config) { c.Mapping = map[string]string{"city": "upper(`a b`)"} }, `mapping.city: "a b" is not a plain column name`},
		{"bad lookback", func(c *Config) { c.Lookback = "yesterday" }, "lookback"},
		{"sqlite password", func(c *Config) { c.Driver, c.PasswordFile = "sqlite", "pw" }, "password_file"},
	} {
		c := ok
		tc.edit(&c)
		err := c.Validate()
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "sql: ") {
			t.Errorf("%s: Validate = %v, want an error naming %s", tc.name, err, tc.want)
		}
	}
	c := ok
	if err := c.Validate(); err != nil || c.ChunkSize != DefaultChunkSize || c.Source != DefaultSource || c.RefName != "t" {
		t.Errorf("Validate(ok) = %v, %+v", err, c)
	}
}

func TestRedactDSN(t *testing.T) {
	for in, want := range map[string]string{
		"postgres://u:pw@h/db":             "postgres://u:xxxxx@h/db",
		"host=h password='a b' user=u":     "host=h password=xxxxx user=u",
		"host=h password=abc user=u":       "host=h password=xxxxx user=u",
		"root:pw@tcp(127.0.0.1:3306)/test": "root:xxxxx@tcp(127.0.0.1:3306)/test",
		"postgres://u@h/db":                "postgres://u@h/db",
	} {
		if got := redactDSN(in); got != want {
			t.Errorf("redactDSN(%q) = %q, want %q", in, got, want)
		}
	}
}
