package sql

import (
	"context"
	dbsql "database/sql"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/healthanchor/healthanchor/connectors"
	"github.com/healthanchor/healthanchor/connectors/connectortest"
)

// The servers the tests run against; see .ci/run for how they start.
const (
	defaultPostgresDSN = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	defaultMySQLDSN    = "root@tcp(127.0.0.1:3306)/test"
)

// testDB is one database a test creates tables in, through an admin
// connection of its own.
type testDB struct {
	driver string
	dsn    string
	admin  *dbsql.DB
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// openTestDB connects to the test server for driver, failing the test
// with how to start it when it does not answer.
func openTestDB(t testing.TB, driver string) *testDB {
	t.Helper()
	db := &testDB{driver: driver}
	var hint string
	switch driver {
	case Postgres:
		db.dsn = envOr("HEALTHANCHOR_TEST_POSTGRES", defaultPostgresDSN)
		hint = "start it (service postgresql start) with a database \"test\" that user postgres reaches without a password, or point HEALTHANCHOR_TEST_POSTGRES at one"
	case MySQL:
		db.dsn = envOr("HEALTHANCHOR_TEST_MYSQL", defaultMySQLDSN)
		hint = "start it (service mariadb start) with a database \"test\" that root reaches with an empty password, or point HEALTHANCHOR_TEST_MYSQL at one"
	case SQLite:
		db.dsn = filepath.Join(t.TempDir(), "source.db")
	}
	cfg := Config{Driver: driver, DSN: db.dsn}
	var err error
	if driver == SQLite {
		db.admin, err = dbsql.Open("sqlite", "file:"+db.dsn+"?_pragma=journal_mode(wal)")
	} else {
		db.admin, err = openDB(&cfg, connEnv{lookup: os.LookupEnv, logger: slog.New(slog.DiscardHandler)}, &masker{})
	}
	if err != nil {
		t.Fatalf("%s test server: %v", driver, err)
	}
	db.admin.SetMaxOpenConns(1) // session settings (sql_mode) stay on the one connection
	t.Cleanup(func() { db.admin.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := db.admin.PingContext(ctx); err != nil {
		t.Fatalf("the %s test server does not answer (%v): %s", driver, err, hint)
	}
	if driver == MySQL {
		db.exec(t, "SET SESSION sql_mode = ''") // lets the tests store legacy zero dates
	}
	return db
}

// table returns a fresh table name, dropped when the test ends.
func (db *testDB) table(t testing.TB, prefix string) string {
	t.Helper()
	name := fmt.Sprintf("ha_%s_%d_%06d", prefix, time.Now().UnixNano()%1e9, rand.IntN(1e6))
	t.Cleanup(func() { db.admin.Exec("DROP TABLE IF EXISTS " + name) })
	return name
}

func (db *testDB) exec(t testing.TB, q string, args ...any) {
	t.Helper()
	if _, err := db.admin.Exec(q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// ts is the column type of a naive timestamp with microseconds.
func (db *testDB) ts() string {
	switch db.driver {
	case MySQL:
		return "DATETIME(6)"
	case Postgres:
		return "TIMESTAMP"
	}
	return "DATETIME"
}

// connector opens the sql connector over this database with cfg's
// driver and DSN filled in.
func (db *testDB) connector(t testing.TB, cfg Config, loc *time.Location) *Connector {
	t.Helper()
	cfg.Driver, cfg.DSN = db.driver, db.dsn
	c, err := New(cfg, connectors.Env{Location: loc})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// run plans from from and reads the window, failing the test on error.
func run(t *testing.T, c connectors.Connector, from connectors.Watermark) ([]connectors.Record, connectors.Watermark) {
	t.Helper()
	res, err := connectortest.ReadAll(t, c, from)
	if err != nil {
		t.Fatal(err)
	}
	return res.Records, res.Watermark
}

// refs lists the source refs of rows (and "reject:" reasons).
func refs(recs []connectors.Record) []string {
	var out []string
	for _, r := range recs {
		if r.Reject != nil {
			out = append(out, "reject: "+r.Reject.Reason)
			continue
		}
		out = append(out, r.SourceRef)
	}
	return out
}

// allDrivers runs f as a subtest per driver.
func allDrivers(t *testing.T, f func(t *testing.T, db *testDB)) {
	for _, d := range []string{Postgres, MySQL, SQLite} {
		t.Run(d, func(t *testing.T) { f(t, openTestDB(t, d)) })
	}
}

// col returns the value of a canonical column of a row record, as text.
func col(t *testing.T, r connectors.Record, name string) string {
	t.Helper()
	if r.Reject != nil {
		t.Fatalf("%s is a reject: %s", r.SourceRef, r.Reject.Reason)
	}
	i := r.Schema.Index(name)
	v := connectortest.CellText(r.Schema.Fields[i], r.Row[i])
	if v == nil {
		return "NULL"
	}
	return v.(string)
}

type connRecord = connectors.Record

func contains(s, sub string) bool { return strings.Contains(s, sub) }
