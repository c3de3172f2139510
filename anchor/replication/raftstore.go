package replication

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/hashicorp/raft"

	"github.com/healthanchor/healthanchor/anchor"
)

// raftStore is Raft's log store and stable store in one SQLite database
// (WAL, synchronous=FULL, so every committed write is fsynced before
// Raft acknowledges it). It also keeps the node's checkpoints, the
// cosignatures collected for them, any fork evidence, and the Raft index
// each entry was applied at (applied_store.go).
type raftStore struct {
	db *sql.DB
	// wmu lets one write at a time reach the database: Raft's log, the
	// state machine and the checkpointer write concurrently, and a writer
	// SQLite finds busy sleeps and polls (1 ms, then 2, 5, 10 ms ...)
	// where one waiting here is woken as soon as the lock is free.
	wmu sync.Mutex
	// lazy is the connection the applied-index records are written on
	// (applied_store.go), opened at the first, with synchronous=NORMAL;
	// guarded by wmu.
	lazy *sql.Conn

	logger  *slog.Logger  // may be nil: the disk-full wait logs nothing
	closing chan struct{} // closed by Close: a disk-full wait gives up
	once    sync.Once
	backoff time.Duration // longest wait between disk-full retries; 0: diskFullMaxBackoff
}

var (
	_ raft.LogStore    = (*raftStore)(nil)
	_ raft.StableStore = (*raftStore)(nil)
)

const raftSchema = `
CREATE TABLE IF NOT EXISTS raft_log (
	idx   INTEGER PRIMARY KEY,
	term  INTEGER NOT NULL,
	type  INTEGER NOT NULL,
	data  BLOB,
	ext   BLOB,
	appended_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS raft_stable (
	key   BLOB PRIMARY KEY,
	value BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS checkpoints (
	size INTEGER PRIMARY KEY,
	body TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS signatures (
	size INTEGER NOT NULL REFERENCES checkpoints(size),
	line TEXT NOT NULL,
	PRIMARY KEY (size, line)
);
CREATE TABLE IF NOT EXISTS evidence (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	peer       TEXT NOT NULL,
	size       INTEGER NOT NULL,
	local_note TEXT NOT NULL,
	peer_note  TEXT NOT NULL,
	seen_at    TEXT NOT NULL
);
`

// openRaftStore opens (creating if needed) the store at path.
func openRaftStore(path string) (*raftStore, error) {
	db, err := anchor.OpenDB(path)
	if err != nil {
		return nil, fmt.Errorf("replication: raft store: %w", err)
	}
	if _, err := db.Exec(raftSchema + appliedSchema); err != nil {
		db.Close()
		return nil, fmt.Errorf("replication: raft store %s: %w", path, err)
	}
	return &raftStore{db: db, closing: make(chan struct{})}, nil
}

// Close closes the database.
func (s *raftStore) Close() error {
	s.once.Do(func() { close(s.closing) })
	s.wmu.Lock()
	if s.lazy != nil {
		s.lazy.Close()
		s.lazy = nil
	}
	s.wmu.Unlock()
	return s.db.Close()
}

// exec runs one writing statement, one writer at a time (wmu).
func (s *raftStore) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	return s.db.ExecContext(ctx, query, args...)
}

// FirstIndex returns the first index written, 0 for none.
func (s *raftStore) FirstIndex() (uint64, error) {
	var v sql.NullInt64
	if err := s.db.QueryRow(`SELECT MIN(idx) FROM raft_log`).Scan(&v); err != nil {
		return 0, fmt.Errorf("replication: raft log: %w", err)
	}
	return uint64(v.Int64), nil
}

// LastIndex returns the last index written, 0 for none.
func (s *raftStore) LastIndex() (uint64, error) {
	var v sql.NullInt64
	if err := s.db.QueryRow(`SELECT MAX(idx) FROM raft_log`).Scan(&v); err != nil {
		return 0, fmt.Errorf("replication: raft log: %w", err)
	}
	return uint64(v.Int64), nil
}

// GetLog reads the entry at index into log, or returns raft.ErrLogNotFound.
func (s *raftStore) GetLog(index uint64, log *raft.Log) error {
	var at int64
	err := s.db.QueryRow(`SELECT term, type, data, ext, appended_at FROM raft_log WHERE idx = ?`, int64(index)).
		Scan(&log.Term, &log.Type, &log.Data, &log.Extensions, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return raft.ErrLogNotFound
	}
	if err != nil {
		return fmt.Errorf("replication: raft log %d: %w", index, err)
	}
	log.Index = index
	log.AppendedAt = timeFromUnixNano(at)
	return nil
}

// StoreLog stores one entry.
func (s *raftStore) StoreLog(log *raft.Log) error { return s.StoreLogs([]*raft.Log{log}) }

// StoreLogs stores entries in one transaction, durable when it returns.
func (s *raftStore) StoreLogs(logs []*raft.Log) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	tx, err := s.db.Begin()
	if err != nil {
		return fmt.Errorf("replication: raft log: %w", err)
	}
	defer tx.Rollback()
	stmt, err := tx.Prepare(`INSERT OR REPLACE INTO raft_log (idx, term, type, data, ext, appended_at) VALUES (?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return fmt.Errorf("replication: raft log: %w", err)
	}
	defer stmt.Close()
	for _, l := range logs {
		if _, err := stmt.Exec(int64(l.Index), int64(l.Term), int(l.Type), l.Data, l.Extensions, l.AppendedAt.UnixNano()); err != nil {
			return fmt.Errorf("replication: raft log %d: %w", l.Index, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("replication: raft log: %w", err)
	}
	return nil
}

// DeleteRange deletes entries min through max inclusive.
func (s *raftStore) DeleteRange(min, max uint64) error {
	if _, err := s.exec(context.Background(), `DELETE FROM raft_log WHERE idx >= ? AND idx <= ?`, int64(min), int64(max)); err != nil {
		return fmt.Errorf("replication: raft log delete %d-%d: %w", min, max, err)
	}
	return nil
}

// Set stores a stable value; while the disk is full it waits for room
// (diskfull.go), since Raft panics when it cannot save its term or vote.
func (s *raftStore) Set(key, val []byte) error {
	return s.whileFull("stable store", func() error {
		_, err := s.exec(context.Background(), `INSERT OR REPLACE INTO raft_stable (key, value) VALUES (?, ?)`, key, val)
		return err
	})
}

// Get returns a stable value; a missing key is an error whose text is
// "not found", as raft expects.
func (s *raftStore) Get(key []byte) ([]byte, error) {
	var v []byte
	err := s.db.QueryRow(`SELECT value FROM raft_stable WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errors.New("not found")
	}
	if err != nil {
		return nil, fmt.Errorf("replication: stable store: %w", err)
	}
	return v, nil
}

// SetUint64 stores a stable counter.
func (s *raftStore) SetUint64(key []byte, val uint64) error {
	return s.Set(key, binary.BigEndian.AppendUint64(nil, val))
}

// GetUint64 returns a stable counter, 0 when missing.
func (s *raftStore) GetUint64(key []byte) (uint64, error) {
	v, err := s.Get(key)
	if err != nil {
		if err.Error() == "not found" {
			return 0, nil
		}
		return 0, err
	}
	if len(v) != 8 {
		return 0, fmt.Errorf("replication: stable store: %q holds %d bytes, want 8", key, len(v))
	}
	return binary.BigEndian.Uint64(v), nil
}

func timeFromUnixNano(ns int64) time.Time {
	if ns == 0 {
		return time.Time{}
	}
	return time.Unix(0, ns)
}
