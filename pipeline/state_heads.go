package pipeline

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"

	"github.com/healthanchor/healthanchor/anchor"
)

// headsSchema is the state DB's record of what the chain store held:
// every head this node stored (chain_heads, append-only), and for each
// batch it anchored, the height and leaf hash of its manifest (columns
// added to batches by migrateHeads). Both live outside chain.db so that
// a chain store that loses its newest blocks is caught (VerifyChain).
const headsSchema = `
CREATE TABLE IF NOT EXISTS chain_heads (
	height      INTEGER PRIMARY KEY,
	log_size    INTEGER NOT NULL,
	log_root    TEXT NOT NULL,
	block_hash  TEXT NOT NULL,
	proposer    TEXT NOT NULL,
	recorded_at TEXT NOT NULL
);
`

// migrateHeads adds the anchoring columns to a batches table made before
// them; batches recorded earlier keep height 0 (unknown).
func migrateHeads(db *sql.DB) error {
	for _, col := range []string{"height INTEGER NOT NULL DEFAULT 0", "leaf_hash TEXT NOT NULL DEFAULT ''"} {
		var name string
		fmt.Sscan(col, &name)
		var n int
		if err := db.QueryRow(`SELECT COUNT(*) FROM pragma_table_info('batches') WHERE name = ?`, name).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			if _, err := db.Exec(`ALTER TABLE batches ADD COLUMN ` + col); err != nil {
				return err
			}
		}
	}
	return nil
}

// HeldHead is the largest head this node's chain store held.
type HeldHead struct {
	Height     int64
	LogSize    int64
	LogRoot    string
	BlockHash  string
	Proposer   string
	RecordedAt string
}

// RecordHead records a head the chain store now holds. A height already
// recorded keeps its first record.
func (s *State) RecordHead(ctx context.Context, b anchor.Block, hash string) error {
	_, err := s.db.ExecContext(ctx, `INSERT OR IGNORE INTO chain_heads (height, log_size, log_root, block_hash, proposer, recorded_at)
		VALUES (?, ?, ?, ?, ?, ?)`, b.Height, b.LogSize, b.LogRoot, hash, b.Proposer, now())
	if err != nil {
		return fmt.Errorf("pipeline: state: record head %d: %w", b.Height, err)
	}
	return nil
}

// LargestHead returns the highest head recorded; ok is false before the
// first.
func (s *State) LargestHead(ctx context.Context) (h HeldHead, ok bool, err error) {
	err = s.db.QueryRowContext(ctx, `SELECT height, log_size, log_root, block_hash, proposer, recorded_at FROM chain_heads ORDER BY height DESC LIMIT 1`).
		Scan(&h.Height, &h.LogSize, &h.LogRoot, &h.BlockHash, &h.Proposer, &h.RecordedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return h, false, nil
	}
	if err != nil {
		return h, false, fmt.Errorf("pipeline: state: chain heads: %w", err)
	}
	return h, true, nil
}

// AnchoredBatch is where the state DB says one of this node's batches
// was anchored.
type AnchoredBatch struct {
	BatchID  string
	Status   string
	Height   int64  // 0 when recorded before heights were kept
	LeafHash string // hex leaf hash of its manifest; "" when not recorded
}

// SetAnchored records, in one transaction, the height and manifest leaf
// hash of batches just anchored (or found on the chain already).
func (s *State) SetAnchored(ctx context.Context, batches []AnchoredBatch) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("pipeline: state: %w", err)
	}
	defer tx.Rollback()
	for _, b := range batches {
		if _, err := tx.ExecContext(ctx, `UPDATE batches SET height = ?, leaf_hash = ?, updated_at = ?,
			status = CASE status WHEN ? THEN ? ELSE status END WHERE batch_id = ?`,
			b.Height, b.LeafHash, now(), BatchExtracted, BatchAnchored, b.BatchID); err != nil {
			return fmt.Errorf("pipeline: state: batch %s anchored: %w", b.BatchID, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("pipeline: state: %w", err)
	}
	return nil
}

// AnchoredBatches lists the batches the state DB records as anchored:
// with a height, or anchored or published.
func (s *State) AnchoredBatches(ctx context.Context) ([]AnchoredBatch, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT batch_id, status, height, leaf_hash FROM batches
		WHERE height > 0 OR status IN (?, ?, ?) ORDER BY height, batch_id`, BatchAnchored, BatchPublished, BatchRetained)
	if err != nil {
		return nil, fmt.Errorf("pipeline: state: anchored batches: %w", err)
	}
	defer rows.Close()
	var out []AnchoredBatch
	for rows.Next() {
		var b AnchoredBatch
		if err := rows.Scan(&b.BatchID, &b.Status, &b.Height, &b.LeafHash); err != nil {
			return nil, fmt.Errorf("pipeline: state: anchored batches: %w", err)
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// headRecorder records the chain's heads in the state DB, logging what
// it cannot record (the block is stored either way).
type headRecorder struct {
	state  *State
	logger *slog.Logger
}

func (r headRecorder) RecordHead(ctx context.Context, b anchor.Block, hash string) {
	if err := r.state.RecordHead(context.WithoutCancel(ctx), b, hash); err != nil {
		r.logger.Error("the chain's new head is not recorded in the state DB; verify chain cannot vouch for it", "height", b.Height, "err", err)
	}
}
