package sql

import (
	"context"
	dbsql "database/sql"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
)

// LoadScript creates the SQLite database dbPath from a SQL script (the
// SQLite dialect, statements separated by semicolons), as the demo does
// with testdata/demo/sql/legacy.sql. The database is built in a temporary
// file next to dbPath and renamed over it once complete, so dbPath is
// either the old database or the whole new one.
func LoadScript(ctx context.Context, dbPath string, script io.Reader) error {
	body, err := io.ReadAll(script)
	if err != nil {
		return fmt.Errorf("sql: load %s: read script: %w", dbPath, err)
	}
	abs, err := filepath.Abs(dbPath)
	if err != nil {
		return fmt.Errorf("sql: load %s: %w", dbPath, err)
	}
	tmp := abs + ".tmp"
	_ = os.Remove(tmp)
	defer os.Remove(tmp)
	u := (&url.URL{Scheme: "file", Path: filepath.ToSlash(tmp)}).String()
	db, err := dbsql.Open("sqlite", u)
	if err != nil {
		return fmt.Errorf("sql: load %s: %w", dbPath, err)
	}
	if _, err := db.ExecContext(ctx, string(body)); err != nil {
		db.Close()
		return fmt.Errorf("sql: load %s: %w", dbPath, err)
	}
	if err := db.Close(); err != nil {
		return fmt.Errorf("sql: load %s: %w", dbPath, err)
	}
	if err := os.Rename(tmp, dbPath); err != nil {
		return fmt.Errorf("sql: load %s: %w", dbPath, err)
	}
	return nil
}
