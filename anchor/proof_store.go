package anchor

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"errors"
	"fmt"
)

// checkpointSchema holds a single-node chain's own signed checkpoints,
// one per log size. A replicated chain keeps its cosigned checkpoints in
// the replica's store instead (anchor/replication).
const checkpointSchema = `CREATE TABLE IF NOT EXISTS checkpoints (
	size INTEGER PRIMARY KEY,
	note TEXT NOT NULL
)`

// SignCheckpoint signs, as member with key, the checkpoint of the chain's
// manifest log at the head, stores it in the chain store and returns it;
// a single-node chain calls it after each append, so that its record
// proofs end at a checkpoint signed by its quorum of one. It returns ""
// while the log is empty. Signing again at the same size keeps the first
// note (Ed25519 signatures are deterministic, so it is the same).
func (c *Chain) SignCheckpoint(ctx context.Context, member string, key ed25519.PrivateKey) (string, error) {
	head, err := c.Head(ctx)
	if err != nil {
		return "", err
	}
	if head.LogSize == 0 {
		return "", nil
	}
	body, err := CheckpointBody(c.ChainID(), head.LogSize, head.LogRoot)
	if err != nil {
		return "", err
	}
	signed, err := SignCheckpointNote(body, member, key)
	if err != nil {
		return "", err
	}
	db := c.conn()
	if _, err := db.ExecContext(ctx, checkpointSchema); err != nil {
		return "", fmt.Errorf("anchor: store checkpoint: %w", err)
	}
	if _, err := db.ExecContext(ctx, `INSERT OR IGNORE INTO checkpoints (size, note) VALUES (?, ?)`, head.LogSize, signed); err != nil {
		return "", fmt.Errorf("anchor: store checkpoint %d: %w", head.LogSize, err)
	}
	return signed, nil
}

// LatestCheckpoint returns the checkpoint note of the largest log size
// the chain store holds, "" when it holds none.
func (c *Chain) LatestCheckpoint(ctx context.Context) (string, error) {
	var text string
	err := c.conn().QueryRowContext(ctx, `SELECT note FROM checkpoints ORDER BY size DESC LIMIT 1`).Scan(&text)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return "", nil
	case err != nil && !c.hasCheckpoints(ctx):
		return "", nil
	case err != nil:
		return "", fmt.Errorf("anchor: latest checkpoint: %w", err)
	}
	return text, nil
}

// hasCheckpoints says whether the store has a checkpoints table (a chain
// that never signed one has none).
func (c *Chain) hasCheckpoints(ctx context.Context) bool {
	var n int
	err := c.conn().QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'checkpoints'`).Scan(&n)
	return err == nil && n > 0
}
