package anchor

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// entrySchema indexes the entries the blocks carry by id. It is created
// with the first block that carries an entry, so stores written before
// entries existed are left as they are; a store without it has none.
const entrySchema = `CREATE TABLE IF NOT EXISTS entries (
	id        TEXT PRIMARY KEY,
	height    INTEGER NOT NULL REFERENCES blocks(height),
	idx       INTEGER NOT NULL,
	log_index INTEGER NOT NULL UNIQUE,
	kind      TEXT NOT NULL,
	agency    TEXT NOT NULL
)`

// AnchoredEntry is an entry with its place on the chain.
type AnchoredEntry struct {
	Entry    Entry
	ID       string // hex leaf hash
	Height   int64
	Index    int   // position among its block's entries
	LogIndex int64 // position in the chain's Merkle log
	Time     string
}

func insertEntries(ctx context.Context, tx *sql.Tx, b Block, firstLog int64) error {
	if len(b.Entries) == 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, entrySchema); err != nil {
		return fmt.Errorf("anchor: entries index: %w", err)
	}
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO entries (id, height, idx, log_index, kind, agency) VALUES (?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return fmt.Errorf("anchor: entries index: %w", err)
	}
	defer stmt.Close()
	for i, e := range b.Entries {
		id, err := e.ID()
		if err != nil {
			return err
		}
		if _, err := stmt.ExecContext(ctx, id, b.Height, i, firstLog+int64(i), e.Kind, e.Agency); err != nil {
			return fmt.Errorf("anchor: index %s entry %.16s…: %w", e.Kind, id, err)
		}
	}
	return nil
}

// LookupEntry finds the anchored entry with id (its hex leaf hash). ok is
// false when no block holds it.
func (c *Chain) LookupEntry(ctx context.Context, id string) (a AnchoredEntry, ok bool, err error) {
	err = c.conn().QueryRowContext(ctx, `SELECT height, idx, log_index FROM entries WHERE id = ?`, id).Scan(&a.Height, &a.Index, &a.LogIndex)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return a, false, nil
	case err != nil && !c.hasTable(ctx, "entries"):
		return a, false, nil
	case err != nil:
		return a, false, fmt.Errorf("anchor: lookup entry %.16s…: %w", id, err)
	}
	b, err := c.Block(ctx, a.Height)
	if err != nil {
		return a, false, err
	}
	if a.Index >= len(b.Entries) {
		return a, false, fmt.Errorf("anchor: index says entry %.16s… is entry %d of block %d, but the block disagrees", id, a.Index, a.Height)
	}
	a.Entry, a.ID, a.Time = b.Entries[a.Index], id, b.Time
	if got, err := a.Entry.ID(); err != nil || got != id {
		return a, false, fmt.Errorf("anchor: index says entry %.16s… is entry %d of block %d, but the block disagrees", id, a.Index, a.Height)
	}
	return a, true, nil
}

// Entries lists every anchored entry of kind (every kind when kind is
// ""), in log order, from the verified blocks.
func (c *Chain) Entries(ctx context.Context, kind string) ([]AnchoredEntry, error) {
	var out []AnchoredEntry
	var logIndex int64
	_, err := c.replay(ctx, func(b Block, _ string) error {
		logIndex += int64(len(b.Manifests))
		for i, e := range b.Entries {
			if kind == "" || e.Kind == kind {
				id, err := e.ID()
				if err != nil {
					return err
				}
				out = append(out, AnchoredEntry{Entry: e, ID: id, Height: b.Height, Index: i, LogIndex: logIndex, Time: b.Time})
			}
			logIndex++
		}
		return nil
	})
	return out, err
}

// hasTable says whether the store has the named table.
func (c *Chain) hasTable(ctx context.Context, name string) bool {
	var n int
	err := c.conn().QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?`, name).Scan(&n)
	return err == nil && n > 0
}
