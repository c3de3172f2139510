// Package anchor owns the commitments: manifests and blocks, their
// canonical JSON and signatures, agency keys, the SQLite chain store, and
// the verification of batch files and chains (docs/format.md). Merkle
// trees live in anchor/merkle and batch files in anchor/batchfile.
package anchor

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sync"
	"time"

	"github.com/healthanchor/healthanchor/anchor/merkle"
)

// ErrDuplicateBatch means a manifest's batch id is already on the chain;
// the caller should treat that batch as anchored, not retry it.
var ErrDuplicateBatch = errors.New("batch already anchored")

// Chain is a hash-linked chain of signed blocks stored in SQLite. Its
// store can be replaced while it is in use (Swap, restore.go).
type Chain struct {
	mu       sync.Mutex   // serialises appends and swaps, and guards cached and recorder
	cached   *validator   // state at the head, see head()
	recorder HeadRecorder // told of each stored head, see heads.go

	rw      sync.RWMutex // guards db and genesis, which Swap replaces
	db      *sql.DB
	path    string
	genesis Block
}

// NewGenesis builds and signs the genesis block of chain chainID, proposed
// by member proposer (whose key signs it).
func NewGenesis(chainID string, members []Member, proposer string, key ed25519.PrivateKey, now time.Time) (Block, error) {
	g := Block{
		Version: BlockVersion, ChainID: chainID, Height: 0, PrevHash: ZeroHash,
		Time: now.UTC().Format(time.RFC3339), Proposer: proposer, Manifests: []Manifest{},
		LogSize: 0, LogRoot: hex.EncodeToString(merkle.New().Root()),
		Genesis: &Genesis{Members: members},
	}
	if err := g.Sign(key); err != nil {
		return Block{}, err
	}
	if _, err := membersOf(g); err != nil {
		return Block{}, err
	}
	return g, g.VerifySignature(key.Public().(ed25519.PublicKey))
}

// CreateChain creates the chain store at path holding only genesis, its
// files with DefaultDBMode. It refuses a path that already exists.
func CreateChain(path string, genesis Block) error {
	return CreateChainMode(path, genesis, DefaultDBMode)
}

// CreateChainMode is CreateChain with the store's files (and their -wal
// and -shm) created with mode perm.
func CreateChainMode(path string, genesis Block, perm fs.FileMode) error {
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("anchor: chain %s already exists", path)
	}
	if _, err := checkGenesis(genesis); err != nil {
		return err
	}
	if err := CreateDBFile(path, perm); err != nil {
		return err
	}
	db, err := OpenDB(path)
	if err != nil {
		return fmt.Errorf("anchor: chain: %w", err)
	}
	defer db.Close()
	if _, err := db.Exec(chainSchema); err != nil {
		return fmt.Errorf("anchor: chain %s: %w", path, err)
	}
	body, err := genesis.Encode()
	if err != nil {
		return err
	}
	hash, err := genesis.Hash()
	if err != nil {
		return err
	}
	_, err = db.Exec(`INSERT INTO blocks (height, hash, prev_hash, body) VALUES (0, ?, ?, ?)`, hash, ZeroHash, body)
	if err != nil {
		return fmt.Errorf("anchor: chain %s: %w", path, err)
	}
	return nil
}

// OpenChain opens an existing chain store.
func OpenChain(path string) (*Chain, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("anchor: chain: %w", err)
	}
	db, err := OpenDB(path)
	if err != nil {
		return nil, fmt.Errorf("anchor: chain: %w", err)
	}
	g, err := readGenesis(db)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("anchor: chain %s: %w", path, err)
	}
	return &Chain{db: db, path: path, genesis: g}, nil
}

// readGenesis reads and checks block 0 of a chain store.
func readGenesis(db *sql.DB) (Block, error) {
	var body []byte
	err := db.QueryRow(`SELECT body FROM blocks WHERE height = 0`).Scan(&body)
	if errors.Is(err, sql.ErrNoRows) {
		return Block{}, errors.New("genesis: block 0 is missing")
	}
	if err != nil {
		return Block{}, fmt.Errorf("genesis: %w", err)
	}
	g, err := decodeBlock(body)
	if err != nil {
		return Block{}, err
	}
	if _, err := checkGenesis(g); err != nil {
		return Block{}, err
	}
	return g, nil
}

// conn returns the current database handle.
func (c *Chain) conn() *sql.DB {
	c.rw.RLock()
	defer c.rw.RUnlock()
	return c.db
}

// Path is the chain store's file.
func (c *Chain) Path() string { return c.path }

func checkGenesis(g Block) (map[string]ed25519.PublicKey, error) {
	if g.Height != 0 || g.Genesis == nil || g.PrevHash != ZeroHash {
		return nil, errors.New("anchor: block 0 is not a genesis block")
	}
	members, err := membersOf(g)
	if err != nil {
		return nil, err
	}
	pub, ok := members[g.Proposer]
	if !ok {
		return nil, fmt.Errorf("anchor: genesis proposer %q is not a member", g.Proposer)
	}
	return members, g.VerifySignature(pub)
}

func membersOf(g Block) (map[string]ed25519.PublicKey, error) {
	if g.Genesis == nil || len(g.Genesis.Members) == 0 {
		return nil, errors.New("anchor: genesis names no members")
	}
	m, err := memberKeys(g.Genesis.Members)
	if err != nil {
		return nil, fmt.Errorf("anchor: genesis: %w", err)
	}
	if q := g.Genesis.Quorum; q < 0 || q > len(m) {
		return nil, fmt.Errorf("anchor: genesis: quorum %d, want 1 to %d (the number of members), or absent for a majority", q, len(m))
	}
	return m, nil
}

// Close closes the store.
func (c *Chain) Close() error { return c.conn().Close() }

// ChainID is the chain's id from genesis.
func (c *Chain) ChainID() string { return c.Genesis().ChainID }

// Genesis returns the genesis block.
func (c *Chain) Genesis() Block {
	c.rw.RLock()
	defer c.rw.RUnlock()
	return c.genesis
}

// MemberKey returns the public key of a current member agency: one of
// the genesis, as changed by the membership blocks up to the head. When
// the stored chain fails verification, it answers from the genesis
// members, so that tools can still open the store and report what fails.
func (c *Chain) MemberKey(id string) (ed25519.PublicKey, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	keys := map[string]ed25519.PublicKey{}
	if v, err := c.head(context.Background()); err == nil {
		keys = v.keys
	} else if g, err := membersOf(c.Genesis()); err == nil {
		keys = g
	}
	k, ok := keys[id]
	return k, ok
}

// Membership returns the current members, in chain order, and the
// membership epoch: how many membership blocks the chain holds, which a
// new MembershipChange must name.
func (c *Chain) Membership(ctx context.Context) ([]Member, int64, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, err := c.head(ctx)
	if err != nil {
		return nil, 0, err
	}
	return append([]Member(nil), v.members...), v.epoch, nil
}

// Block reads the block at height as stored.
func (c *Chain) Block(ctx context.Context, height int64) (Block, error) {
	var body []byte
	err := c.conn().QueryRowContext(ctx, `SELECT body FROM blocks WHERE height = ?`, height).Scan(&body)
	if err != nil {
		return Block{}, fmt.Errorf("anchor: block %d: %w", height, err)
	}
	return decodeBlock(body)
}

func decodeBlock(body []byte) (Block, error) {
	var b Block
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil {
		return Block{}, fmt.Errorf("anchor: block body: %w", err)
	}
	return b, nil
}

// Head returns the last block.
func (c *Chain) Head(ctx context.Context) (Block, error) {
	var h int64
	if err := c.conn().QueryRowContext(ctx, `SELECT MAX(height) FROM blocks`).Scan(&h); err != nil {
		return Block{}, fmt.Errorf("anchor: head: %w", err)
	}
	return c.Block(ctx, h)
}

// Anchored describes where a batch sits on the chain.
type Anchored struct {
	Manifest Manifest
	Height   int64
	Index    int   // position in its block
	LogIndex int64 // position in the chain's Merkle log
}

// Lookup finds the anchored manifest of a batch. ok is false when the
// batch is not on the chain.
func (c *Chain) Lookup(ctx context.Context, batchID string) (a Anchored, ok bool, err error) {
	err = c.conn().QueryRowContext(ctx, `SELECT height, idx, log_index FROM manifests WHERE batch_id = ?`, batchID).
		Scan(&a.Height, &a.Index, &a.LogIndex)
	if errors.Is(err, sql.ErrNoRows) {
		return a, false, nil
	}
	if err != nil {
		return a, false, fmt.Errorf("anchor: lookup %s: %w", batchID, err)
	}
	b, err := c.Block(ctx, a.Height)
	if err != nil {
		return a, false, err
	}
	if a.Index >= len(b.Manifests) || b.Manifests[a.Index].BatchID != batchID {
		return a, false, fmt.Errorf("anchor: index says batch %s is manifest %d of block %d, but the block disagrees", batchID, a.Index, a.Height)
	}
	a.Manifest = b.Manifests[a.Index]
	return a, true, nil
}

// NextProducerSeq returns the producer_seq the agency's next manifest takes.
func (c *Chain) NextProducerSeq(ctx context.Context, agency string) (int64, error) {
	var max sql.NullInt64
	err := c.conn().QueryRowContext(ctx, `SELECT MAX(producer_seq) FROM manifests WHERE agency = ?`, agency).Scan(&max)
	if err != nil {
		return 0, fmt.Errorf("anchor: producer seq: %w", err)
	}
	return max.Int64 + 1, nil
}
