package pipeline

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
)

// The digests of a job's input files, kept between runs so that planning
// a drop folder does not hash every file ever taken again, only those
// whose stamp moved (connectors.DigestCache). It is a cache: losing or
// clearing it only costs hashing.
const digestsSchema = `
CREATE TABLE IF NOT EXISTS file_digests (
	job        TEXT PRIMARY KEY,
	entries    BLOB NOT NULL,
	updated_at TEXT NOT NULL
);
`

// Digests returns the file digests kept for a job (see
// connectors.DigestCache.Entries); none before its first run.
func (s *State) Digests(ctx context.Context, job string) (map[string]string, error) {
	var b []byte
	err := s.db.QueryRowContext(ctx, `SELECT entries FROM file_digests WHERE job = ?`, job).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("pipeline: state: file digests of %s: %w", job, err)
	}
	var m map[string]string
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, nil // a damaged cache is an empty one
	}
	return m, nil
}

// SetDigests keeps a job's file digests for its next runs.
func (s *State) SetDigests(ctx context.Context, job string, entries map[string]string) error {
	b, err := json.Marshal(entries)
	if err != nil {
		return fmt.Errorf("pipeline: state: file digests of %s: %w", job, err)
	}
	if _, err := s.db.ExecContext(ctx, `INSERT OR REPLACE INTO file_digests (job, entries, updated_at) VALUES (?, ?, ?)`, job, b, now()); err != nil {
		return fmt.Errorf("pipeline: state: file digests of %s: %w", job, err)
	}
	return nil
}
