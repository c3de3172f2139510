package replication

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/hashicorp/raft"
)

// appliedEntry records one Raft command entry the state machine applied:
// the hash of its bytes, and the block height it stored (Height 0 for an
// entry refused as a no-op). Rows are written before the block reaches
// the chain store, so that a crash in between replays the same entry.
//
// A row is committed without an fsync of its own (recordApplied): it is
// durable at raft.db's next fsynced write, the next Raft log append, which
// in a write-ahead log makes every earlier commit durable with it. Only a
// power loss (not a crash of the process) can take a row whose block the
// chain store holds, and the replay of that entry then finds the same
// block stored and writes the row again (fsm.Apply).
type appliedEntry struct {
	Index     uint64
	EntryHash string // hex SHA-256 of the entry's bytes
	Height    int64  // 0: refused, nothing stored
	BlockHash string
}

// appliedLog is where the state machine keeps the Raft index each entry
// was applied at (the node's raft.db), and reads the Raft log back, so
// that an entry it already applied and that the log no longer holds (a
// history rewritten under it) is seen.
type appliedLog interface {
	// appliedAt returns the entry recorded at index, if any.
	appliedAt(ctx context.Context, index uint64) (appliedEntry, bool, error)
	// recordApplied stores e, replacing what index held; committed on
	// return, durable by raft.db's next fsync.
	recordApplied(ctx context.Context, e appliedEntry) error
	// appliedSinceBlock returns the entries from the last one that stored
	// a block on, in index order, at most limit of them.
	appliedSinceBlock(ctx context.Context, limit int) ([]appliedEntry, error)
	// forgetApplied drops every record, when a snapshot replaced the chain.
	forgetApplied(ctx context.Context) error
	// GetLog reads the Raft log entry at index (raft.ErrLogNotFound once
	// compacted).
	GetLog(index uint64, log *raft.Log) error
}

var _ appliedLog = (*raftStore)(nil)

const appliedSchema = `
CREATE TABLE IF NOT EXISTS applied (
	idx        INTEGER PRIMARY KEY,
	entry_hash TEXT NOT NULL,
	height     INTEGER NOT NULL,
	block_hash TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS applied_height ON applied(height);
`

// entryHash is the hex SHA-256 of a log entry's bytes.
func entryHash(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

func (s *raftStore) appliedAt(ctx context.Context, index uint64) (appliedEntry, bool, error) {
	e := appliedEntry{Index: index}
	err := s.db.QueryRowContext(ctx, `SELECT entry_hash, height, block_hash FROM applied WHERE idx = ?`, int64(index)).
		Scan(&e.EntryHash, &e.Height, &e.BlockHash)
	if errors.Is(err, sql.ErrNoRows) {
		return appliedEntry{}, false, nil
	}
	if err != nil {
		return appliedEntry{}, false, fmt.Errorf("replication: applied index %d: %w", index, err)
	}
	return e, true, nil
}

func (s *raftStore) recordApplied(ctx context.Context, e appliedEntry) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	conn, err := s.lazyConn(ctx)
	if err == nil {
		_, err = conn.ExecContext(ctx, `INSERT OR REPLACE INTO applied (idx, entry_hash, height, block_hash) VALUES (?, ?, ?, ?)`,
			int64(e.Index), e.EntryHash, e.Height, e.BlockHash)
	}
	if err != nil {
		return fmt.Errorf("replication: record applied index %d: %w", e.Index, err)
	}
	return nil
}

// lazyConn returns the connection whose commits are not fsynced
// (synchronous=NORMAL: in WAL mode a commit is then durable at the next
// fsynced one), opening it the first time. Callers hold wmu.
func (s *raftStore) lazyConn(ctx context.Context) (*sql.Conn, error) {
	if s.lazy != nil {
		return s.lazy, nil
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := conn.ExecContext(ctx, `PRAGMA synchronous = NORMAL`); err != nil {
		conn.Close()
		return nil, err
	}
	s.lazy = conn
	return conn, nil
}

func (s *raftStore) appliedSinceBlock(ctx context.Context, limit int) ([]appliedEntry, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT idx, entry_hash, height, block_hash FROM applied
		WHERE idx >= COALESCE((SELECT MAX(idx) FROM applied WHERE height > 0), 0) ORDER BY idx LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("replication: applied entries: %w", err)
	}
	defer rows.Close()
	var out []appliedEntry
	for rows.Next() {
		var e appliedEntry
		var idx int64
		if err := rows.Scan(&idx, &e.EntryHash, &e.Height, &e.BlockHash); err != nil {
			return nil, fmt.Errorf("replication: applied entries: %w", err)
		}
		e.Index = uint64(idx)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("replication: applied entries: %w", err)
	}
	return out, nil
}

func (s *raftStore) forgetApplied(ctx context.Context) error {
	if _, err := s.exec(ctx, `DELETE FROM applied`); err != nil {
		return fmt.Errorf("replication: forget applied indexes: %w", err)
	}
	return nil
}
