package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	_ "github.com/go-sql-driver/mysql"
	_ "github.com/jackc/pgx/v5/stdlib"
)

// sqlServer is a test server a job reads through the binary.
type sqlServer struct {
	name, driver, dsn, stdDriver, ts, param string
}

var sqlServers = []sqlServer{
	{name: "postgres", driver: "postgres", dsn: envOrDefault("HEALTHANCHOR_TEST_POSTGRES", "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"),
		stdDriver: "pgx", ts: "timestamp", param: "$"},
	{name: "mariadb", driver: "mysql", dsn: envOrDefault("HEALTHANCHOR_TEST_MYSQL", "root@tcp(127.0.0.1:3306)/test"),
		stdDriver: "mysql", ts: "datetime(6)", param: "?"},
}

// open connects to the server, failing the test when it does not answer;
// the connection is closed at the test's end.
func (srv sqlServer) open(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open(srv.stdDriver, srv.dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		t.Fatalf("the %s test server does not answer (%v); .ci/run starts it, or set HEALTHANCHOR_TEST_%s", srv.name, err, strings.ToUpper(srv.driver))
	}
	return db
}

func envOrDefault(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// TestSQLJobThroughCLI runs a SQL job through the binary against the real
// PostgreSQL and MariaDB: the DSN comes from an environment variable the
// config references, a first run anchors the table with its bad rows
// rejected, inserts and updates between runs are anchored once each in
// the next run, and a run with nothing new anchors nothing.
func TestSQLJobThroughCLI(t *testing.T) {
	for _, srv := range sqlServers {
		t.Run(srv.name, func(t *testing.T) {
			db := srv.open(t)
			table := fmt.Sprintf("ha_cli_%d", time.Now().UnixNano()%1e9)
			exec := func(q string, args ...any) {
				t.Helper()
				if srv.param == "?" {
					for i := 1; i <= len(args); i++ {
						q = strings.Replace(q, fmt.Sprintf("$%d", i), "?", 1)
					}
				}
				if _, err := db.Exec(q, args...); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			exec(fmt.Sprintf("CREATE TABLE %s (id integer PRIMARY KEY, mrn varchar(20), nom varchar(80), dob varchar(10), maj %s)", table, srv.ts))
			defer db.Exec("DROP TABLE " + table)
			base := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
			insert := func(id int, dob string, at time.Time) {
				exec(fmt.Sprintf("INSERT INTO %s VALUES ($1, $2, $3, $4, $5)", table), id, fmt.Sprintf("M%04d", id), "Nom é "+fmt.Sprint(id), dob, at)
			}
			for id := 1; id <= 50; id++ {
				dob := "1980-01-02"
				if id%25 == 0 {
					dob = "1980-02-30" // rejected: not a date
				}
				insert(id, dob, base.Add(time.Duration(id)*time.Second))
			}

			dir, cfg := newDeployment(t)
			raw, _ := os.ReadFile(cfg)
			job := fmt.Sprintf(`
  - name: cli-sql
    connector: sql
    options:
      driver: %s
      dsn: ${HA_CLI_DSN}
      table: %s
      schema: patient/1
      watermark: maj
      key: id
      source: cli-test
      mapping: {patient_id: mrn, family_name: nom, birth_date: dob, updated_at: maj}
`, srv.driver, table)
			if err := os.WriteFile(cfg, append(raw, job...), 0o644); err != nil {
				t.Fatal(err)
			}
			env := []string{"HA_CLI_DSN=" + srv.dsn}
			rowsOf := func() (rows, rejects int64, n int) {
				for _, b := range batches(t, cfg) {
					if b.Job == "cli-sql" {
						rows, rejects, n = rows+b.Rows, rejects+b.Rejects, n+1
					}
				}
				return
			}
			mustCode(t, ha(t, env, "--config", cfg, "run", "cli-sql"), 0, "first run")
			if rows, rejects, _ := rowsOf(); rows != 48 || rejects != 2 {
				t.Fatalf("first run anchored %d rows and %d rejects, want 48 and 2", rows, rejects)
			}
			for id := 51; id <= 60; id++ {
				insert(id, "1990-05-06", base.Add(time.Hour+time.Duration(id)*time.Second))
			}
			exec(fmt.Sprintf("UPDATE %s SET nom = $1, maj = $2 WHERE id IN (3, 4, 5)", table), "Renamed", base.Add(2*time.Hour))
			mustCode(t, ha(t, env, "--config", cfg, "run", "cli-sql"), 0, "second run")
			if rows, _, n := rowsOf(); rows != 48+13 || n != 2 {
				t.Fatalf("after the second run: %d rows in %d batches, want 61 in 2 (10 inserts and 3 updates)", rows, n)
			}
			r := ha(t, env, "--config", cfg, "run", "cli-sql")
			mustCode(t, r, 0, "third run")
			if _, _, n := rowsOf(); n != 2 || !strings.Contains(r.stdout, "nothing new") {
				t.Fatalf("a run with nothing new anchored something:\n%s", r.stdout)
			}
			r = ha(t, nil, "--config", cfg, "run", "cli-sql")
			mustCode(t, r, 1, "run without the DSN's variable")
			if !strings.Contains(r.stdout+r.stderr, "HA_CLI_DSN") {
				t.Errorf("the error does not name the missing variable:\n%s%s", r.stdout, r.stderr)
			}
			checkExactlyOnce(t, dir, cfg, "cli-sql", 48+2+13)
		})
	}
}
