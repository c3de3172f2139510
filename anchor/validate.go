package anchor

import (
	"crypto/ed25519"
	"encoding/hex"
	"fmt"

	"github.com/healthanchor/healthanchor/anchor/merkle"
)

// validator holds what checking the next block needs: the members, the
// head, each agency's last producer_seq, the batch ids seen and the
// manifest log. It is built by replaying the chain from genesis, so the
// same rules run when appending and when verifying.
type validator struct {
	chainID  string
	members  map[string]ed25519.PublicKey
	height   int64
	headHash string
	seqs     map[string]int64
	batches  map[string]bool
	log      *merkle.Tree
}

func newValidator(genesis Block, members map[string]ed25519.PublicKey) (*validator, error) {
	h, err := genesis.Hash()
	if err != nil {
		return nil, err
	}
	if genesis.LogSize != 0 || genesis.LogRoot != hex.EncodeToString(merkle.New().Root()) || len(genesis.Manifests) != 0 {
		return nil, fmt.Errorf("anchor: genesis must hold no manifests and the empty log root")
	}
	return &validator{
		chainID: genesis.ChainID, members: members, height: 0, headHash: h,
		seqs: map[string]int64{}, batches: map[string]bool{}, log: merkle.New(),
	}, nil
}

// check validates b as the next block without changing the state, and
// returns the log after b.
func (v *validator) check(b Block) (*merkle.Tree, error) {
	fail := func(format string, args ...any) (*merkle.Tree, error) {
		return nil, fmt.Errorf("anchor: block %d: "+format, append([]any{b.Height}, args...)...)
	}
	switch {
	case b.Version != BlockVersion:
		return fail("version %d, want %d", b.Version, BlockVersion)
	case b.ChainID != v.chainID:
		return fail("chain id %q, want %q", b.ChainID, v.chainID)
	case b.Height != v.height+1:
		return fail("height follows %d", v.height)
	case b.PrevHash != v.headHash:
		return fail("prev_hash %.16s… does not match block %d's hash %.16s…", b.PrevHash, v.height, v.headHash)
	case b.Genesis != nil:
		return fail("only block 0 may carry a genesis")
	}
	pub, ok := v.members[b.Proposer]
	if !ok {
		return fail("proposer %q is not a member", b.Proposer)
	}
	if err := b.VerifySignature(pub); err != nil {
		return nil, err
	}
	log := v.log.Clone()
	seqs := map[string]int64{}
	inBlock := map[string]bool{}
	for i, m := range b.Manifests {
		if err := v.checkManifest(m, seqs, inBlock); err != nil {
			return fail("manifest %d: %w", i, err)
		}
		lh, err := m.LeafHash()
		if err != nil {
			return nil, err
		}
		if err := log.Append(lh); err != nil {
			return nil, err
		}
	}
	if b.LogSize != int64(log.Size()) {
		return fail("log_size %d, want %d", b.LogSize, log.Size())
	}
	if root := hex.EncodeToString(log.Root()); b.LogRoot != root {
		return fail("log_root %.16s…, recomputed %.16s…", b.LogRoot, root)
	}
	return log, nil
}

func (v *validator) checkManifest(m Manifest, seqs map[string]int64, inBlock map[string]bool) error {
	if m.Version != ManifestVersion {
		return fmt.Errorf("batch %s: version %d, want %d", m.BatchID, m.Version, ManifestVersion)
	}
	if m.ChainID != v.chainID {
		return fmt.Errorf("batch %s: chain id %q, want %q", m.BatchID, m.ChainID, v.chainID)
	}
	pub, ok := v.members[m.Agency]
	if !ok {
		return fmt.Errorf("batch %s: agency %q is not a member", m.BatchID, m.Agency)
	}
	if err := m.Verify(pub); err != nil {
		return err
	}
	if v.batches[m.BatchID] || inBlock[m.BatchID] {
		return fmt.Errorf("batch %s: %w", m.BatchID, ErrDuplicateBatch)
	}
	inBlock[m.BatchID] = true
	last, ok := seqs[m.Agency]
	if !ok {
		last = v.seqs[m.Agency]
	}
	if m.ProducerSeq != last+1 {
		return fmt.Errorf("batch %s: agency %s producer_seq %d, want %d (gapless)", m.BatchID, m.Agency, m.ProducerSeq, last+1)
	}
	seqs[m.Agency] = m.ProducerSeq
	return nil
}

// accept moves the state past b, which check accepted with log.
func (v *validator) accept(b Block, hash string, log *merkle.Tree) {
	v.height = b.Height
	v.headHash = hash
	v.log = log
	for _, m := range b.Manifests {
		v.batches[m.BatchID] = true
		v.seqs[m.Agency] = m.ProducerSeq
	}
}
