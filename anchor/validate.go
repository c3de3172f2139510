package anchor

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"github.com/healthanchor/healthanchor/anchor/merkle"
)

// validator holds what checking the next block needs: the members and
// their membership epoch, the head, each agency's last producer_seq, the
// batch ids seen and the manifest log. It is built by replaying the chain
// from genesis, so the same rules run when appending and when verifying.
type validator struct {
	chainID  string
	members  []Member // current members, in chain order
	keys     map[string]ed25519.PublicKey
	epoch    int64 // membership changes applied so far
	height   int64
	headHash string
	seqs     map[string]int64
	batches  map[string]bool
	entries  map[string]bool // leaf hashes of the entries on the chain
	log      *merkle.Tree
}

func newValidator(genesis Block) (*validator, error) {
	keys, err := membersOf(genesis)
	if err != nil {
		return nil, err
	}
	h, err := genesis.Hash()
	if err != nil {
		return nil, err
	}
	if genesis.LogSize != 0 || genesis.LogRoot != hex.EncodeToString(merkle.New().Root()) || len(genesis.Manifests) != 0 {
		return nil, fmt.Errorf("anchor: genesis must hold no manifests and the empty log root")
	}
	return &validator{
		chainID: genesis.ChainID, members: genesis.Genesis.Members, keys: keys, height: 0, headHash: h,
		seqs: map[string]int64{}, batches: map[string]bool{}, entries: map[string]bool{}, log: merkle.New(),
	}, nil
}

// next is what accepting a block changes besides the head: the log and,
// after a membership block, the member set.
type next struct {
	log     *merkle.Tree
	members []Member // nil when unchanged
	keys    map[string]ed25519.PublicKey
	hash    string   // the block's hash, from the bytes its signature was checked on
	leaves  [][]byte // the block's log leaves: its manifests', then its entries'
}

// check validates b as the next block without changing the state, and
// returns the state after b.
func (v *validator) check(b Block) (next, error) {
	fail := func(format string, args ...any) (next, error) {
		return next{}, fmt.Errorf("anchor: block %d: "+format, append([]any{b.Height}, args...)...)
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
	pub, ok := v.keys[b.Proposer]
	if !ok {
		return fail("proposer %q is not a member", b.Proposer)
	}
	// The bytes the signature covers are those the block's hash is of:
	// canonicalised once for both.
	unsigned, err := b.unsigned()
	if err != nil {
		return next{}, err
	}
	if err := verifySig(pub, DomainBlock, unsigned, b.Signature); err != nil {
		return fail("%w", err)
	}
	sum := sha256.Sum256(unsigned)
	hash := hex.EncodeToString(sum[:])
	if b.Membership != nil {
		nx, err := v.checkMembership(b)
		nx.hash = hash
		return nx, err
	}
	log := v.log.Clone()
	seqs := map[string]int64{}
	inBlock := map[string]bool{}
	leaves := make([][]byte, 0, len(b.Manifests)+len(b.Entries))
	for i, m := range b.Manifests {
		if err := v.checkManifest(m, seqs, inBlock); err != nil {
			return fail("manifest %d: %w", i, err)
		}
		lh, err := m.LeafHash()
		if err != nil {
			return next{}, err
		}
		if err := log.Append(lh); err != nil {
			return next{}, err
		}
		leaves = append(leaves, lh)
	}
	seen := map[string]bool{}
	for i, e := range b.Entries {
		lh, err := v.checkEntry(e, seen)
		if err != nil {
			return fail("entry %d: %w", i, err)
		}
		if err := log.Append(lh); err != nil {
			return next{}, err
		}
		leaves = append(leaves, lh)
	}
	if b.LogSize != int64(log.Size()) {
		return fail("log_size %d, want %d", b.LogSize, log.Size())
	}
	if root := hex.EncodeToString(log.Root()); b.LogRoot != root {
		return fail("log_root %.16s…, recomputed %.16s…", b.LogRoot, root)
	}
	return next{log: log, hash: hash, leaves: leaves}, nil
}

// checkMembership validates a membership block: no manifests, the log
// unchanged, and a change approved by a majority of the current members.
func (v *validator) checkMembership(b Block) (next, error) {
	fail := func(format string, args ...any) (next, error) {
		return next{}, fmt.Errorf("anchor: block %d: "+format, append([]any{b.Height}, args...)...)
	}
	if len(b.Manifests) != 0 || len(b.Entries) != 0 {
		return fail("a membership block holds no manifests and no entries")
	}
	if b.LogSize != int64(v.log.Size()) || b.LogRoot != hex.EncodeToString(v.log.Root()) {
		return fail("a membership block keeps log_size and log_root as they are")
	}
	members, err := b.Membership.Apply(v.chainID, v.epoch, v.members)
	if err != nil {
		return fail("%w", err)
	}
	keys, err := memberKeys(members)
	if err != nil {
		return fail("%w", err)
	}
	return next{log: v.log, members: members, keys: keys}, nil
}

func (v *validator) checkManifest(m Manifest, seqs map[string]int64, inBlock map[string]bool) error {
	if m.Version != ManifestVersion {
		return fmt.Errorf("batch %s: version %d, want %d", m.BatchID, m.Version, ManifestVersion)
	}
	if m.ChainID != v.chainID {
		return fmt.Errorf("batch %s: chain id %q, want %q", m.BatchID, m.ChainID, v.chainID)
	}
	pub, ok := v.keys[m.Agency]
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

// checkEntry validates one entry of a block: well formed, for this
// chain, signed by a current member under its kind's domain, and not on
// the chain or earlier in the block (seen). It returns its leaf hash.
func (v *validator) checkEntry(e Entry, seen map[string]bool) ([]byte, error) {
	if err := e.wellFormed(); err != nil {
		return nil, err
	}
	if e.ChainID != v.chainID {
		return nil, fmt.Errorf("%s entry: chain id %q, want %q", e.Kind, e.ChainID, v.chainID)
	}
	pub, ok := v.keys[e.Agency]
	if !ok {
		return nil, fmt.Errorf("%s entry: agency %q is not a member", e.Kind, e.Agency)
	}
	if err := e.Verify(pub); err != nil {
		return nil, err
	}
	lh, err := e.LeafHash()
	if err != nil {
		return nil, err
	}
	id := hex.EncodeToString(lh)
	if v.entries[id] || seen[id] {
		return nil, fmt.Errorf("%s entry %.16s…: %w", e.Kind, id, ErrDuplicateEntry)
	}
	seen[id] = true
	return lh, nil
}

// accept moves the state past b, which check accepted with nx.
func (v *validator) accept(b Block, hash string, nx next) {
	v.height = b.Height
	v.headHash = hash
	v.log = nx.log
	if nx.members != nil {
		v.members, v.keys = nx.members, nx.keys
		v.epoch++
	}
	for _, m := range b.Manifests {
		v.batches[m.BatchID] = true
		v.seqs[m.Agency] = m.ProducerSeq
	}
	for _, e := range b.Entries {
		if lh, err := e.LeafHash(); err == nil {
			v.entries[hex.EncodeToString(lh)] = true
		}
	}
}
