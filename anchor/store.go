package anchor

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"

	_ "modernc.org/sqlite" // the "sqlite" database/sql driver
)

const chainSchema = `
CREATE TABLE IF NOT EXISTS blocks (
	height    INTEGER PRIMARY KEY,
	hash      TEXT NOT NULL UNIQUE,
	prev_hash TEXT NOT NULL,
	body      BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS manifests (
	batch_id       TEXT PRIMARY KEY,
	height         INTEGER NOT NULL REFERENCES blocks(height),
	idx            INTEGER NOT NULL,
	log_index      INTEGER NOT NULL UNIQUE,
	agency         TEXT NOT NULL,
	producer_seq   INTEGER NOT NULL,
	job            TEXT NOT NULL,
	schema         TEXT NOT NULL,
	rows           INTEGER NOT NULL,
	rejects        INTEGER NOT NULL,
	merkle_root    TEXT NOT NULL,
	parquet_sha256 TEXT NOT NULL,
	leaf_hash      TEXT NOT NULL,
	UNIQUE (agency, producer_seq)
);
`

// DefaultDBMode is the mode of a database file OpenDB creates when
// CreateDBFile has not created it first: the owner's alone.
const DefaultDBMode fs.FileMode = 0o600

// CreateDBFile creates an empty database file at path with exactly mode
// perm, unless a file is there already (which keeps its mode). SQLite
// then gives the database's -wal and -shm files the same mode, whatever
// the process umask: create the file first to choose who may read a store.
func CreateDBFile(path string, perm fs.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("anchor: create %s: %w", path, err)
	}
	if err := f.Chmod(perm); err != nil {
		f.Close()
		return fmt.Errorf("anchor: create %s: %w", path, err)
	}
	return f.Close()
}

// OpenDB opens (creating if needed, with DefaultDBMode) a SQLite database
// in WAL mode with full fsync on commit and a busy timeout, as the chain
// and state stores use.
func OpenDB(path string) (*sql.DB, error) {
	if err := CreateDBFile(path, DefaultDBMode); err != nil {
		return nil, err
	}
	q := url.Values{}
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(FULL)")
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "foreign_keys(ON)")
	q.Add("_txlock", "immediate")
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if err := db.PingContext(context.Background()); err != nil {
		db.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return db, nil
}
