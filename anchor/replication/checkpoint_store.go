package replication

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Fork is evidence that a member signed a checkpoint disagreeing with
// the local chain: both signed notes, as received and as held.
type Fork struct {
	Peer      string `json:"peer"`
	LogSize   int64  `json:"log_size"`
	LocalNote string `json:"local_note"`
	PeerNote  string `json:"peer_note"`
	SeenAt    string `json:"seen_at"`
}

func (s *raftStore) checkpoint(ctx context.Context, size int64) (string, error) {
	var body string
	err := s.db.QueryRowContext(ctx, `SELECT body FROM checkpoints WHERE size = ?`, size).Scan(&body)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("replication: checkpoint %d: %w", size, err)
	}
	return body, nil
}

func (s *raftStore) latestCheckpoint(ctx context.Context) (int64, error) {
	var size sql.NullInt64
	if err := s.db.QueryRowContext(ctx, `SELECT MAX(size) FROM checkpoints`).Scan(&size); err != nil {
		return 0, fmt.Errorf("replication: checkpoints: %w", err)
	}
	return size.Int64, nil
}

// saveSigned stores checkpoint body at size, unless one is stored
// there, and the signature lines that are new, in one transaction (one
// fsync, none when nothing is new).
func (s *raftStore) saveSigned(ctx context.Context, size int64, body string, lines []string) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("replication: checkpoint %d: %w", size, err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `INSERT INTO checkpoints (size, body) VALUES (?, ?) ON CONFLICT(size) DO NOTHING`, size, body); err != nil {
		return fmt.Errorf("replication: checkpoint %d: %w", size, err)
	}
	for _, l := range lines {
		if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO signatures (size, line) VALUES (?, ?)`, size, l); err != nil {
			return fmt.Errorf("replication: checkpoint %d signature: %w", size, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("replication: checkpoint %d: %w", size, err)
	}
	return nil
}

func (s *raftStore) signatures(ctx context.Context, size int64) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT line FROM signatures WHERE size = ? ORDER BY line`, size)
	if err != nil {
		return nil, fmt.Errorf("replication: checkpoint %d signatures: %w", size, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var l string
		if err := rows.Scan(&l); err != nil {
			return nil, fmt.Errorf("replication: checkpoint %d signatures: %w", size, err)
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

func (s *raftStore) addEvidence(ctx context.Context, peer string, size int64, local, peerNote string) error {
	_, err := s.exec(ctx, `INSERT INTO evidence (peer, size, local_note, peer_note, seen_at) VALUES (?, ?, ?, ?, ?)`,
		peer, size, local, peerNote, time.Now().UTC().Format(time.RFC3339))
	if err != nil {
		return fmt.Errorf("replication: fork evidence: %w", err)
	}
	return nil
}

func (s *raftStore) evidence(ctx context.Context) ([]Fork, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT peer, size, local_note, peer_note, seen_at FROM evidence ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("replication: fork evidence: %w", err)
	}
	defer rows.Close()
	out := []Fork{}
	for rows.Next() {
		var f Fork
		if err := rows.Scan(&f.Peer, &f.LogSize, &f.LocalNote, &f.PeerNote, &f.SeenAt); err != nil {
			return nil, fmt.Errorf("replication: fork evidence: %w", err)
		}
		out = append(out, f)
	}
	return out, rows.Err()
}
