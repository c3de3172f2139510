package lifecycle

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/healthanchor/healthanchor/anchor"
)

// tokenSchema is the table of verified timestamp tokens, kept in the
// node's state DB: each node asks its TSAs itself, so its tokens are
// its own, like its run history (docs/lifecycle.md, "Where tokens are
// kept"). Only tokens that verified when received are stored.
const tokenSchema = `CREATE TABLE IF NOT EXISTS tsa_tokens (
	id              INTEGER PRIMARY KEY,
	tsa_url         TEXT NOT NULL,
	checkpoint_size INTEGER NOT NULL,
	checkpoint      TEXT NOT NULL,
	imprint         TEXT NOT NULL,
	gen_time        TEXT NOT NULL,
	token           BLOB NOT NULL,
	stored_at       TEXT NOT NULL,
	UNIQUE (tsa_url, checkpoint_size)
)`

// StoredToken is one timestamp token as kept.
type StoredToken struct {
	TSA            string    // the authority's url
	CheckpointSize int64     // log size of the checkpoint stamped
	Checkpoint     string    // the signed checkpoint note
	Imprint        string    // hex SHA-256 of the checkpoint's body
	GenTime        time.Time // the token's time
	Token          []byte    // CMS SignedData, DER
}

// TokenStore keeps timestamp tokens in a SQLite file (the state DB).
type TokenStore struct{ db *sql.DB }

// OpenTokenStore opens the token table of the SQLite database at path,
// creating it if needed.
func OpenTokenStore(path string) (*TokenStore, error) {
	db, err := anchor.OpenDB(path)
	if err != nil {
		return nil, fmt.Errorf("lifecycle: token store: %w", err)
	}
	if _, err := db.Exec(tokenSchema); err != nil {
		db.Close()
		return nil, fmt.Errorf("lifecycle: token store %s: %w", path, err)
	}
	return &TokenStore{db: db}, nil
}

// Close closes the store.
func (s *TokenStore) Close() error { return s.db.Close() }

// Add stores a token; a second token of the same TSA for the same
// checkpoint size is ignored (the first proves the earlier time).
func (s *TokenStore) Add(ctx context.Context, t StoredToken) error {
	_, err := s.db.ExecContext(ctx, `INSERT OR IGNORE INTO tsa_tokens (tsa_url, checkpoint_size, checkpoint, imprint, gen_time, token, stored_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, t.TSA, t.CheckpointSize, t.Checkpoint, t.Imprint, t.GenTime.UTC().Format(time.RFC3339Nano), t.Token,
		time.Now().UTC().Format(time.RFC3339Nano))
	if err != nil {
		return fmt.Errorf("lifecycle: store token of %s: %w", t.TSA, err)
	}
	return nil
}

// Has reports whether a token of tsa for the checkpoint size is stored.
func (s *TokenStore) Has(ctx context.Context, tsa string, size int64) (bool, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM tsa_tokens WHERE tsa_url = ? AND checkpoint_size = ?`, tsa, size).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("lifecycle: token store: %w", err)
	}
	return n > 0, nil
}

// All returns every stored token, by checkpoint size then TSA.
func (s *TokenStore) All(ctx context.Context) ([]StoredToken, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT tsa_url, checkpoint_size, checkpoint, imprint, gen_time, token FROM tsa_tokens ORDER BY checkpoint_size, tsa_url`)
	if err != nil {
		return nil, fmt.Errorf("lifecycle: token store: %w", err)
	}
	defer rows.Close()
	var out []StoredToken
	for rows.Next() {
		var t StoredToken
		var gen string
		if err := rows.Scan(&t.TSA, &t.CheckpointSize, &t.Checkpoint, &t.Imprint, &gen, &t.Token); err != nil {
			return nil, fmt.Errorf("lifecycle: token store: %w", err)
		}
		t.GenTime, _ = time.Parse(time.RFC3339Nano, gen)
		out = append(out, t)
	}
	return out, rows.Err()
}
