package anchor

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"encoding/hex"
	"fmt"
	"math"
	"time"
)

// replay reads every block from genesis, checking each as the next one,
// and returns the validator positioned at the head. fn, when set, sees
// each block after it passed, with its stored hash.
func (c *Chain) replay(ctx context.Context, fn func(b Block, storedHash string) error) (*validator, error) {
	return c.replayTo(ctx, math.MaxInt64, fn)
}

// replayTo is replay stopping after the block at height last.
func (c *Chain) replayTo(ctx context.Context, last int64, fn func(b Block, storedHash string) error) (*validator, error) {
	v, err := newValidator(c.Genesis())
	if err != nil {
		return nil, err
	}
	rows, err := c.conn().QueryContext(ctx, `SELECT height, hash, prev_hash, body FROM blocks WHERE height <= ? ORDER BY height`, last)
	if err != nil {
		return nil, fmt.Errorf("anchor: replay: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var height int64
		var hash, prev string
		var body []byte
		if err := rows.Scan(&height, &hash, &prev, &body); err != nil {
			return nil, fmt.Errorf("anchor: replay: %w", err)
		}
		b, err := decodeBlock(body)
		if err != nil {
			return nil, fmt.Errorf("anchor: block %d: %w", height, err)
		}
		if err := checkStored(b, height, hash, prev, body); err != nil {
			return nil, err
		}
		if height == 0 {
			if hash != v.headHash {
				return nil, fmt.Errorf("anchor: genesis differs from the one the chain was opened with")
			}
			continue
		}
		nx, err := v.check(b)
		if err != nil {
			return nil, err
		}
		v.accept(b, hash, nx)
		if fn != nil {
			if err := fn(b, hash); err != nil {
				return nil, err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("anchor: replay: %w", err)
	}
	return v, nil
}

// checkStored checks that a stored row agrees with its body: the body is
// the block's canonical form, and the height, hash and prev_hash columns
// are the block's own.
func checkStored(b Block, height int64, hash, prev string, body []byte) error {
	canon, err := b.Encode()
	if err != nil {
		return err
	}
	if string(canon) != string(body) {
		return fmt.Errorf("anchor: block %d: stored body is not in canonical form (edited?)", height)
	}
	want, err := b.Hash()
	if err != nil {
		return err
	}
	switch {
	case b.Height != height:
		return fmt.Errorf("anchor: block stored at height %d says height %d", height, b.Height)
	case hash != want:
		return fmt.Errorf("anchor: block %d: stored hash %.16s… but the block hashes to %.16s…", height, hash, want)
	case prev != b.PrevHash:
		return fmt.Errorf("anchor: block %d: stored prev_hash %.16s… but the block says %.16s…", height, prev, b.PrevHash)
	}
	return nil
}

// Propose builds the next block holding manifests, signs it as member
// proposer with key, and appends it. Manifests whose batch id is already
// on the chain make it fail with ErrDuplicateBatch.
func (c *Chain) Propose(ctx context.Context, manifests []Manifest, proposer string, key ed25519.PrivateKey, now time.Time) (Block, error) {
	return c.ProposeBlock(ctx, manifests, nil, proposer, key, now)
}

// ProposeBlock is Propose for a block holding manifests and entries.
// An entry already on the chain makes it fail with ErrDuplicateEntry.
func (c *Chain) ProposeBlock(ctx context.Context, manifests []Manifest, entries []Entry, proposer string, key ed25519.PrivateKey, now time.Time) (Block, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, err := c.head(ctx)
	if err != nil {
		return Block{}, err
	}
	b := v.nextBlock(proposer, now)
	b.Manifests, b.Entries = manifests, entries
	leaves, err := b.LogLeaves()
	if err != nil {
		return Block{}, err
	}
	log := v.log.Clone()
	for _, lh := range leaves {
		if err := log.Append(lh); err != nil {
			return Block{}, err
		}
	}
	b.LogSize = int64(log.Size())
	b.LogRoot = fmt.Sprintf("%x", log.Root())
	if err := b.Sign(key); err != nil {
		return Block{}, err
	}
	return b, c.appendChecked(ctx, v, b)
}

// ProposeMembership builds the next block carrying change (signed by a
// majority of the current members), signs it as member proposer with
// key, and appends it. From the next block on, the chain's members are
// the changed set.
func (c *Chain) ProposeMembership(ctx context.Context, change MembershipChange, proposer string, key ed25519.PrivateKey, now time.Time) (Block, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, err := c.head(ctx)
	if err != nil {
		return Block{}, err
	}
	b := v.nextBlock(proposer, now)
	b.LogSize, b.LogRoot, b.Membership = int64(v.log.Size()), fmt.Sprintf("%x", v.log.Root()), &change
	if err := b.Sign(key); err != nil {
		return Block{}, err
	}
	return b, c.appendChecked(ctx, v, b)
}

// Append validates b as the next block and stores it.
func (c *Chain) Append(ctx context.Context, b Block) error {
	_, err := c.AppendBlock(ctx, b)
	return err
}

// Appended is what storing a block computed on the way: its hash and
// its log leaves (Block.LogLeaves), for a caller that needs them too.
type Appended struct {
	Hash   string
	Leaves [][]byte
}

// AppendBlock is Append, returning the block's hash and log leaves.
func (c *Chain) AppendBlock(ctx context.Context, b Block) (Appended, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, err := c.head(ctx)
	if err != nil {
		return Appended{}, err
	}
	nx, err := v.check(b)
	if err != nil {
		return Appended{}, err
	}
	if err := c.store(ctx, v, b, nx); err != nil {
		return Appended{}, err
	}
	return Appended{Hash: nx.hash, Leaves: nx.leaves}, nil
}

func (c *Chain) appendChecked(ctx context.Context, v *validator, b Block) error {
	nx, err := v.check(b)
	if err != nil {
		return err
	}
	return c.store(ctx, v, b, nx)
}

// store writes b, which v checked into nx, and moves v past it.
func (c *Chain) store(ctx context.Context, v *validator, b Block, nx next) error {
	hash := nx.hash
	body, err := b.Encode()
	if err != nil {
		return err
	}
	tx, err := c.conn().BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("anchor: append: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `INSERT INTO blocks (height, hash, prev_hash, body) VALUES (?, ?, ?, ?)`, b.Height, hash, b.PrevHash, body); err != nil {
		return fmt.Errorf("anchor: append block %d: %w", b.Height, err)
	}
	logIndex := int64(v.log.Size())
	if err := insertManifests(ctx, tx, b, nx.leaves, logIndex); err != nil {
		return err
	}
	if err := insertEntries(ctx, tx, b, logIndex+int64(len(b.Manifests))); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		c.cached = nil
		return fmt.Errorf("anchor: append block %d: %w", b.Height, err)
	}
	v.accept(b, hash, nx)
	c.recordHead(ctx, b, hash)
	return nil
}

// head returns the validator positioned at the stored head. The first
// call replays (and so verifies) the whole chain; later calls reuse that
// state as long as the stored head is the block this Chain appended or
// saw last, so appending costs one block's checks, not the chain's. A
// head changed behind our back (another process, an edit) is replayed.
func (c *Chain) head(ctx context.Context) (*validator, error) {
	var height int64
	var hash string
	if err := c.conn().QueryRowContext(ctx, `SELECT height, hash FROM blocks ORDER BY height DESC LIMIT 1`).Scan(&height, &hash); err != nil {
		return nil, fmt.Errorf("anchor: head: %w", err)
	}
	if c.cached != nil && c.cached.height == height && c.cached.headHash == hash {
		return c.cached, nil
	}
	v, err := c.replay(ctx, nil)
	if err != nil {
		c.cached = nil
		return nil, err
	}
	c.cached = v
	return v, nil
}

// insertManifests indexes the manifests of block b, whose leaf hashes
// are leaves, the first at log index first: one statement prepared for
// the block, not one a manifest.
func insertManifests(ctx context.Context, tx *sql.Tx, b Block, leaves [][]byte, first int64) error {
	if len(b.Manifests) == 0 {
		return nil
	}
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO manifests
		(batch_id, height, idx, log_index, agency, producer_seq, job, schema, rows, rejects, merkle_root, parquet_sha256, leaf_hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return fmt.Errorf("anchor: index manifests: %w", err)
	}
	defer stmt.Close()
	for i, m := range b.Manifests {
		if _, err := stmt.ExecContext(ctx, m.BatchID, b.Height, i, first+int64(i), m.Agency, m.ProducerSeq, m.Job, m.Schema,
			m.Rows, m.Rejects, m.MerkleRoot, m.ParquetSHA256, hex.EncodeToString(leaves[i])); err != nil {
			return fmt.Errorf("anchor: index manifest %s: %w", m.BatchID, err)
		}
	}
	return nil
}

// nextBlock is the unsigned skeleton of the block after the head.
func (v *validator) nextBlock(proposer string, now time.Time) Block {
	return Block{
		Version: BlockVersion, ChainID: v.chainID, Height: v.height + 1, PrevHash: v.headHash,
		Time: now.UTC().Format(time.RFC3339), Proposer: proposer, Manifests: []Manifest{},
	}
}
