package anchor

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/healthanchor/healthanchor/internal/fsutil"
)

// ChainBuilder writes a new chain store file from blocks received from
// elsewhere (a peer's snapshot), validating each block with the chain's
// rules as it is appended. Finish verifies the whole file and makes it
// durable; Chain.Swap then puts it in place of a live store.
type ChainBuilder struct {
	path  string
	chain *Chain
}

// NewChainBuilder creates the chain store file at path holding genesis.
// A file left at path by an earlier, interrupted build is removed first.
func NewChainBuilder(path string, genesis Block) (*ChainBuilder, error) {
	if err := removeStore(path); err != nil {
		return nil, err
	}
	if err := CreateChain(path, genesis); err != nil {
		return nil, err
	}
	c, err := OpenChain(path)
	if err != nil {
		removeStore(path)
		return nil, err
	}
	return &ChainBuilder{path: path, chain: c}, nil
}

// Append validates b as the next block and stores it.
func (cb *ChainBuilder) Append(ctx context.Context, b Block) error {
	return cb.chain.Append(ctx, b)
}

// Height is the height of the last block appended.
func (cb *ChainBuilder) Height(ctx context.Context) (int64, error) {
	h, err := cb.chain.Head(ctx)
	return h.Height, err
}

// Finish verifies the whole new store from genesis, folds its write-ahead
// log into the database file, closes it and fsyncs the file and its
// folder. The file is then a complete, self-contained chain store.
func (cb *ChainBuilder) Finish(ctx context.Context) (ChainReport, error) {
	rep, err := cb.chain.Verify(ctx)
	if err != nil {
		cb.Abort()
		return ChainReport{}, fmt.Errorf("anchor: built chain %s fails verification: %w", cb.path, err)
	}
	if _, err := cb.chain.conn().ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		cb.Abort()
		return ChainReport{}, fmt.Errorf("anchor: built chain %s: %w", cb.path, err)
	}
	if err := cb.chain.Close(); err != nil {
		removeStore(cb.path)
		return ChainReport{}, fmt.Errorf("anchor: built chain %s: %w", cb.path, err)
	}
	if err := syncFile(cb.path); err != nil {
		return ChainReport{}, err
	}
	return rep, syncDir(filepath.Dir(cb.path))
}

// Abort closes and removes the partly built store.
func (cb *ChainBuilder) Abort() {
	cb.chain.Close()
	removeStore(cb.path)
}

// Swap replaces the chain's store with the file built at built (see
// ChainBuilder), which must hold the same genesis. The old store is
// renamed to keepAs, with its write-ahead files, when keepAs is not
// empty (evidence of a history that disagrees), and deleted otherwise.
// The rename is atomic and the folder is fsynced; the Chain handle goes
// on with the new store, and its next read or append sees only it.
// Reads in flight on the old store may fail once; appends wait.
func (c *Chain) Swap(ctx context.Context, built, keepAs string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	nc, err := OpenChain(built)
	if err != nil {
		return fmt.Errorf("anchor: swap: %w", err)
	}
	gNew, err1 := nc.Genesis().Hash()
	gOld, err2 := c.Genesis().Hash()
	nc.Close()
	if err := errors.Join(err1, err2); err != nil {
		return err
	}
	if gNew != gOld {
		return fmt.Errorf("anchor: swap: %s holds another chain (genesis %.16s…, not %.16s…)", built, gNew, gOld)
	}
	c.rw.Lock()
	defer c.rw.Unlock()
	c.cached = nil
	if err := c.db.Close(); err != nil {
		return fmt.Errorf("anchor: swap: close %s: %w", c.path, err)
	}
	// From here on the handle must end with an open store, old or new.
	reopen := func(cause error) error {
		db, err := OpenDB(c.path)
		if err != nil {
			return errors.Join(cause, fmt.Errorf("anchor: swap: reopen %s: %w", c.path, err))
		}
		c.db = db
		return cause
	}
	if keepAs != "" {
		for _, suffix := range []string{"", "-wal", "-shm"} {
			if err := os.Rename(c.path+suffix, keepAs+suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
				return reopen(fmt.Errorf("anchor: swap: keep old store: %w", err))
			}
		}
	} else if err := removeSidecars(c.path); err != nil {
		return reopen(err)
	}
	if err := os.Rename(built, c.path); err != nil {
		return reopen(fmt.Errorf("anchor: swap: %w", err))
	}
	if err := syncDir(filepath.Dir(c.path)); err != nil {
		return reopen(err)
	}
	db, err := OpenDB(c.path)
	if err != nil {
		return fmt.Errorf("anchor: swap: open %s: %w", c.path, err)
	}
	g, err := readGenesis(db)
	if err != nil {
		db.Close()
		return fmt.Errorf("anchor: swap: %s: %w", c.path, err)
	}
	c.db, c.genesis = db, g
	// The new store was verified whole as it was built (ChainBuilder),
	// so its head is one this node now holds.
	var body []byte
	var hash string
	if err := db.QueryRowContext(ctx, `SELECT hash, body FROM blocks ORDER BY height DESC LIMIT 1`).Scan(&hash, &body); err == nil {
		if head, err := decodeBlock(body); err == nil {
			c.recordHead(ctx, head, hash)
		}
	}
	return nil
}

// removeStore deletes a SQLite file and its write-ahead files.
func removeStore(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("anchor: %w", err)
	}
	return removeSidecars(path)
}

func removeSidecars(path string) error {
	for _, suffix := range []string{"-wal", "-shm", "-journal"} {
		if err := os.Remove(path + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("anchor: %w", err)
		}
	}
	return nil
}

func syncFile(path string) error {
	if err := fsutil.SyncFile(path); err != nil {
		return fmt.Errorf("anchor: fsync %s: %w", path, err)
	}
	return nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("anchor: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("anchor: fsync %s: %w", dir, err)
	}
	return nil
}
