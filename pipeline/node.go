package pipeline

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/healthanchor/healthanchor/anchor"
	"github.com/healthanchor/healthanchor/internal/fsutil"
	"github.com/healthanchor/healthanchor/storage"
)

// Node is one agency's healthanchor: its config, keys, chain store and
// state DB, opened once and shared by the commands.
type Node struct {
	Config *Config
	Chain  *anchor.Chain
	State  *State
	Logger *slog.Logger

	// Now is the clock for manifests and blocks; time.Now when nil.
	Now func() time.Time
	// CrashAt, when set, is called at each named step of a run
	// ("reading", "written", "anchored", "published"; with an object
	// store also "staged", "copied", "unstaged" and "recorded",
	// publish_bucket.go) so that tests can kill the process there.
	CrashAt func(step string)
	// Progress, when set, is told how far each job's read is.
	Progress func(ProgressReport)
	// Anchorer commits the run's manifests; by default the node proposes
	// blocks on its own chain store (single-node chain).
	Anchorer Anchorer

	anchorMu     sync.Mutex // one block at a time: producer_seq and height are read, then used
	signingKey   ed25519.PrivateKey
	saltKey      []byte
	watermarkKey anchor.WatermarkKey // keys the watermark digests put on the chain
	// unmatchedWarned holds the files already reported as taken by no
	// job, so that serve says it once per file, not at every firing.
	unmatchedWarned sync.Map
	// retained caches the chain's retention entries (verify_retained.go).
	retained retainedCache
	// bucket is the object store output once opened (bucket.go).
	bucketMu sync.Mutex
	bucket   *storage.Bucket
}

// ProgressReport is how far one job's read is.
type ProgressReport struct {
	Job        string
	Rows       int64 // records read so far
	BytesDone  int64 // input bytes read, where the connector knows them
	BytesTotal int64 // input bytes to read; 0 when unknown
	Final      bool  // the read is over
}

// Open opens the node described by cfg: it reads the keys, opens the
// chain (creating it from the genesis file on first use) and the state DB.
func Open(cfg *Config, logger *slog.Logger) (*Node, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	n := &Node{Config: cfg, Logger: logger}
	var err error
	if n.signingKey, err = anchor.ReadSigningKey(cfg.Path(cfg.Agency.KeyFile)); err != nil {
		return nil, asConfig(fmt.Errorf("pipeline: agency key: %w", err))
	}
	if n.saltKey, err = anchor.ReadSaltKey(cfg.Path(cfg.Agency.SaltKeyFile)); err != nil {
		return nil, asConfig(fmt.Errorf("pipeline: salt key: %w", err))
	}
	n.watermarkKey = anchor.NewWatermarkKey(n.saltKey)
	if n.Chain, err = OpenChain(cfg); err != nil {
		return nil, err
	}
	pub, ok := n.Chain.MemberKey(cfg.Agency.ID)
	if !ok {
		n.Chain.Close()
		return nil, asConfig(fmt.Errorf("pipeline: agency %q is not a member of chain %q", cfg.Agency.ID, n.Chain.ChainID()))
	}
	if !pub.Equal(n.signingKey.Public()) {
		n.Chain.Close()
		return nil, asConfig(fmt.Errorf("pipeline: the key in %s is not agency %q's key in the genesis", cfg.Agency.KeyFile, cfg.Agency.ID))
	}
	if err := fsutil.MkdirAll(cfg.Path(cfg.OutputDir), cfg.DirPerm()); err != nil {
		n.Chain.Close()
		return nil, asConfig(fmt.Errorf("pipeline: output dir: %w", err))
	}
	if err := anchor.CreateDBFile(cfg.Path(cfg.State), cfg.FilePerm()); err != nil {
		n.Chain.Close()
		return nil, fmt.Errorf("pipeline: state: %w", err)
	}
	if n.State, err = OpenState(cfg.Path(cfg.State), cfg.Path(cfg.OutputDir)); err != nil {
		n.Chain.Close()
		return nil, err
	}
	n.Chain.SetHeadRecorder(headRecorder{state: n.State, logger: logger})
	n.Anchorer = localAnchorer{chain: n.Chain, proposer: cfg.Agency.ID, key: n.signingKey, now: n.now, logger: logger}
	return n, nil
}

// SigningKey is the agency's Ed25519 key, for components that sign on its
// behalf (a replicated chain node signing blocks and checkpoints).
func (n *Node) SigningKey() ed25519.PrivateKey { return n.signingKey }

// OpenChain opens the config's chain store, creating it from the genesis
// file on first use. An existing store must hold that genesis (when the
// config names one): another is an *anchor.Mismatch. Problems with the
// genesis file itself are ErrConfig; a damaged store is neither.
func OpenChain(cfg *Config) (*anchor.Chain, error) {
	path := cfg.Path(cfg.Chain.Path)
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		if cfg.Chain.Genesis == "" {
			return nil, asConfig(fmt.Errorf("pipeline: chain %s does not exist and chain.genesis is not set", path))
		}
		g, err := readGenesisFile(cfg.Path(cfg.Chain.Genesis))
		if err != nil {
			return nil, err
		}
		if err := anchor.CreateChainMode(path, g, cfg.FilePerm()); err != nil {
			return nil, asConfig(err)
		}
	}
	c, err := anchor.OpenChain(path)
	if err != nil {
		return nil, err
	}
	if cfg.Chain.Genesis == "" {
		return c, nil
	}
	if err := sameGenesis(c, cfg.Path(cfg.Chain.Genesis)); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

func readGenesisFile(path string) (anchor.Block, error) {
	g, err := anchor.ReadGenesisFile(path)
	if err != nil {
		return g, asConfig(fmt.Errorf("pipeline: %w", err))
	}
	return g, nil
}

// sameGenesis checks that the chain store holds the genesis of the
// config's genesis file.
func sameGenesis(c *anchor.Chain, genesisPath string) error {
	g, err := readGenesisFile(genesisPath)
	if err != nil {
		return err
	}
	want, err := g.Hash()
	if err != nil {
		return asConfig(fmt.Errorf("pipeline: genesis %s: %w", genesisPath, err))
	}
	got, err := c.Genesis().Hash()
	if err != nil {
		return &anchor.Mismatch{Problems: []string{fmt.Sprintf("%s: genesis: %v", c.Path(), err)}}
	}
	if got != want {
		return &anchor.Mismatch{Problems: []string{fmt.Sprintf("%s holds the genesis of chain %q (hash %.16s…), not the one in %s (chain %q, hash %.16s…): the chain store was replaced or belongs to another deployment",
			c.Path(), c.ChainID(), got, genesisPath, g.ChainID, want)}}
	}
	return nil
}

// Close closes the chain and state stores.
func (n *Node) Close() error {
	return errors.Join(n.State.Close(), n.Chain.Close(), n.closeBucket())
}

func (n *Node) now() time.Time {
	if n.Now != nil {
		return n.Now()
	}
	return time.Now()
}

func (n *Node) crash(step string) {
	if n.CrashAt != nil {
		n.CrashAt(step)
	}
}
