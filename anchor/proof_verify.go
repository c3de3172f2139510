package anchor

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/healthanchor/healthanchor/anchor/merkle"
)

// ProofReport says what a verified proof established.
type ProofReport struct {
	BatchID string `json:"batch_id"`
	Agency  string `json:"agency"`
	Schema  string `json:"schema"` // the record's (reject/1 for a reject)
	Row     int64  `json:"row"`    // -1 for a batch bundle
	// Scope is ScopeBatch for a batch bundle; then Rows and Erased say
	// what the batch file checked with it holds.
	Scope       string `json:"scope,omitempty"`
	Rows        int64  `json:"rows,omitempty"`
	Erased      int64  `json:"erased,omitempty"`
	BlockHeight int64  `json:"block_height"`
	BlockHash   string `json:"block_hash"`
	LogSize     int64  `json:"log_size"`
	// CheckpointSize is the log size of the cosigned checkpoint.
	CheckpointSize int64 `json:"checkpoint_size"`
	// Signers are the distinct current members who signed the
	// checkpoint; Quorum is how many it needs, of Members.
	Signers []string `json:"signers"`
	Quorum  int      `json:"quorum"`
	Members int      `json:"members"`
}

// VerifyProof checks a proof bundle offline against the genesis alone:
// the genesis itself; the record's path to the batch root; the
// membership blocks, each approved by a majority of the members before
// it; the manifest's signature by its agency; the block's shape and
// signature and the manifest's path to its log root; the consistency of
// that log with the checkpoint's; and the checkpoint's signatures by at
// least a quorum of distinct current members. Every failure is a
// *Mismatch listing what does not hold.
func VerifyProof(p Proof, genesis Block) (ProofReport, error) {
	ghash, err := CheckGenesis(genesis)
	if err != nil {
		return ProofReport{}, &Mismatch{Problems: []string{err.Error()}}
	}
	v := &proofCheck{p: p, genesis: genesis, genesisHash: ghash}
	m := p.Manifest
	v.rep = ProofReport{BatchID: m.BatchID, Agency: m.Agency, Schema: m.Schema, Row: p.Record.Index,
		BlockHeight: p.Block.Height, LogSize: p.Log.Size, Signers: []string{}}
	v.rep.BlockHash, _ = p.Block.Hash()
	if p.Version != ProofVersion {
		v.bad("proof version %d, want %d (re-make the bundle with this version of prove)", p.Version, ProofVersion)
		return v.rep, v.result()
	}
	if p.ChainID != genesis.ChainID || m.ChainID != genesis.ChainID || p.Block.ChainID != genesis.ChainID {
		v.bad("chain id differs from the genesis's %q (a bundle of another chain?)", genesis.ChainID)
		return v.rep, v.result()
	}
	v.membership()
	switch p.Scope {
	case "":
		v.record()
	case ScopeBatch:
		// The batch file, checked beside the bundle, stands for the
		// record (VerifyBatchBundle).
		v.rep.Scope, v.rep.Row = ScopeBatch, -1
		if p.Record.Canonical != "" || p.Record.Index != 0 || p.Record.Inclusion != nil {
			v.bad("a batch bundle holds no record")
		}
	default:
		v.bad("scope %q: want none (a record's bundle) or %q", p.Scope, ScopeBatch)
	}
	v.manifest()
	v.block()
	v.checkpoint()
	return v.rep, v.result()
}

// CheckGenesis checks that g is a genesis block, as a verifier holding
// only it must: version, height 0, the zero prev_hash, an empty log,
// unique members with valid keys, a valid quorum, and the signature of
// its proposer, a member. It returns the genesis hash.
func CheckGenesis(g Block) (string, error) {
	switch {
	case g.Version != BlockVersion:
		return "", fmt.Errorf("genesis: version %d, want %d", g.Version, BlockVersion)
	case g.Height != 0 || g.Genesis == nil:
		return "", errors.New("genesis: not a genesis block (height 0 with a \"genesis\" member): give the chain's genesis.json")
	case g.ChainID == "":
		return "", errors.New("genesis: empty chain id")
	case g.Membership != nil:
		return "", errors.New("genesis: carries a membership change")
	}
	if _, err := newValidator(g); err != nil {
		return "", fmt.Errorf("genesis: %w", err)
	}
	if _, err := checkGenesis(g); err != nil {
		return "", fmt.Errorf("genesis: %w", err)
	}
	return g.Hash()
}

// proofCheck gathers the problems of one bundle.
type proofCheck struct {
	p           Proof
	genesis     Block
	genesisHash string
	epochs      []proofEpoch // member sets, from genesis on
	problems    []string
	rep         ProofReport
}

// proofEpoch is a member set and the first height it applies to.
type proofEpoch struct {
	from    int64
	members []Member
	keys    map[string]ed25519.PublicKey
}

func (v *proofCheck) bad(format string, args ...any) {
	v.problems = append(v.problems, fmt.Sprintf(format, args...))
}

func (v *proofCheck) result() error {
	if len(v.problems) > 0 {
		return &Mismatch{Problems: v.problems}
	}
	return nil
}

// keysAt returns the member keys that apply to a block at height.
func (v *proofCheck) keysAt(height int64) map[string]ed25519.PublicKey {
	e := v.epochs[0]
	for _, x := range v.epochs {
		if x.from <= height {
			e = x
		}
	}
	return e.keys
}

// membership replays the bundle's membership blocks from the genesis
// members: each one's proposer signs it, and a majority of the members
// before it approves its change at its epoch.
func (v *proofCheck) membership() {
	keys, _ := membersOf(v.genesis)
	v.epochs = []proofEpoch{{from: 0, members: v.genesis.Genesis.Members, keys: keys}}
	last := int64(0)
	for i, b := range v.p.Membership {
		cur := v.epochs[len(v.epochs)-1]
		switch {
		case b.Membership == nil || b.Genesis != nil || len(b.Manifests) != 0:
			v.bad("membership[%d] is not a membership block", i)
			return
		case b.Version != BlockVersion || b.ChainID != v.genesis.ChainID:
			v.bad("membership[%d]: version or chain id differs", i)
			return
		case b.Height <= last:
			v.bad("membership[%d]: height %d does not follow %d", i, b.Height, last)
			return
		}
		pub, ok := cur.keys[b.Proposer]
		if !ok {
			v.bad("membership block %d: proposer %q is not a member", b.Height, b.Proposer)
			return
		}
		if err := b.VerifySignature(pub); err != nil {
			v.bad("membership block %d: %v", b.Height, err)
			return
		}
		next, err := b.Membership.Apply(v.genesis.ChainID, int64(i), cur.members)
		if err != nil {
			v.bad("membership block %d: %v", b.Height, err)
			return
		}
		nk, _ := memberKeys(next)
		v.epochs = append(v.epochs, proofEpoch{from: b.Height + 1, members: next, keys: nk})
		last = b.Height
	}
}

// record checks the record's path to its batch root.
// verifyRecord checks only the record of p against its manifest's root:
// for bundles whose frame (everything else) VerifyProof already checked.
func verifyRecord(p Proof) error {
	v := &proofCheck{p: p}
	v.record()
	return v.result()
}

func (v *proofCheck) record() {
	p, m := v.p, v.p.Manifest
	var schema struct {
		Schema *string `json:"_schema"`
	}
	dec := json.NewDecoder(bytes.NewReader([]byte(p.Record.Canonical)))
	if err := dec.Decode(&schema); err != nil || schema.Schema == nil {
		v.bad("record.canonical is not a canonical record (a JSON object with _schema)")
		return
	}
	v.rep.Schema = *schema.Schema
	root, size := m.MerkleRoot, m.Rows
	if *schema.Schema == "reject/1" {
		root, size = m.RejectsRoot, m.Rejects
	}
	leaf := merkle.HashLeaf([]byte(p.Record.Canonical))
	if err := verifyPath(p.Record.Index, size, leaf, p.Record.Inclusion, root); err != nil {
		v.bad("record %d is not in batch %s (root %.16s…): %v", p.Record.Index, m.BatchID, root, err)
	}
}

// manifest checks the manifest's signature by its agency, a member when
// the block anchoring it was made.
func (v *proofCheck) manifest() {
	m := v.p.Manifest
	if pub, ok := v.keysAt(v.p.Block.Height)[m.Agency]; !ok {
		v.bad("agency %q is not a member at block %d", m.Agency, v.p.Block.Height)
	} else if err := m.Verify(pub); err != nil {
		v.bad("%v", err)
	}
}

// block checks the block's shape and signature, and the manifest's path
// to its log root.
func (v *proofCheck) block() {
	b, l := v.p.Block, v.p.Log
	switch {
	case b.Version != BlockVersion:
		v.bad("block version %d, want %d", b.Version, BlockVersion)
	case b.Height < 1 || b.Genesis != nil || b.Membership != nil:
		v.bad("block %d is not a block of manifests (height >= 1, no genesis or membership)", b.Height)
	case b.Height == 1 && b.PrevHash != v.genesisHash:
		v.bad("block 1's prev_hash %.16s… is not the hash of this genesis %.16s…: a bundle of another chain?", b.PrevHash, v.genesisHash)
	case !isHash(b.PrevHash):
		v.bad("block prev_hash is not 64 lower-case hex digits")
	}
	if pub, ok := v.keysAt(b.Height)[b.Proposer]; !ok {
		v.bad("block proposer %q is not a member at block %d", b.Proposer, b.Height)
	} else if err := b.VerifySignature(pub); err != nil {
		v.bad("%v", err)
	}
	lh, err := v.p.Manifest.LeafHash()
	if err != nil {
		v.bad("manifest: %v", err)
		return
	}
	first := b.LogSize - int64(len(b.Manifests)+len(b.Entries))
	for i, bm := range b.Manifests {
		if bm.BatchID != v.p.Manifest.BatchID {
			continue
		}
		if blh, err := bm.LeafHash(); err != nil || !bytes.Equal(blh, lh) || first+int64(i) != l.Index {
			v.bad("the block's own copy of batch %s differs from the bundle's manifest, or is not at log.index %d", bm.BatchID, l.Index)
		}
	}
	if l.Size != b.LogSize {
		v.bad("log size %d, but the block commits to %d", l.Size, b.LogSize)
	}
	if err := verifyPath(l.Index, l.Size, lh, l.Inclusion, b.LogRoot); err != nil {
		v.bad("manifest is not in the block's log (root %.16s…): %v", b.LogRoot, err)
	}
}

// checkpoint checks that the checkpoint extends the block's log and is
// signed by a quorum of distinct current members.
func (v *proofCheck) checkpoint() {
	cur := v.epochs[len(v.epochs)-1]
	v.rep.Members = len(cur.members)
	v.rep.Quorum = QuorumOf(v.genesis.Genesis.Quorum, len(cur.members))
	cp, err := OpenCheckpoint(v.p.Checkpoint.Note, v.genesis.ChainID, cur.members)
	if err != nil {
		v.bad("%v", err)
		return
	}
	v.rep.CheckpointSize, v.rep.Signers = cp.Size, cp.Signers
	b := v.p.Block
	root1, err := decodeHash(b.LogRoot)
	if err != nil {
		v.bad("block log_root: %v", err)
		return
	}
	nodes, err := decodeHashes(v.p.Checkpoint.Consistency)
	if err != nil {
		v.bad("checkpoint.consistency: %v", err)
		return
	}
	switch {
	case b.LogSize < 1 || cp.Size < b.LogSize:
		v.bad("the checkpoint's log of %d manifests does not extend the block's log of %d", cp.Size, b.LogSize)
	default:
		if err := merkle.VerifyConsistency(uint64(b.LogSize), uint64(cp.Size), nodes, root1, cp.Root); err != nil {
			v.bad("the block's log (%d manifests) is not consistent with the checkpoint's (%d): %v", b.LogSize, cp.Size, err)
		}
	}
	if len(cp.Signers) < v.rep.Quorum {
		v.bad("the checkpoint is signed by %d of %d members (%v), but the quorum is %d: missing signatures from %d more of %s",
			len(cp.Signers), len(cur.members), cp.Signers, v.rep.Quorum, v.rep.Quorum-len(cp.Signers), missingSigners(cur.members, cp.Signers))
	}
}

// verifyPath checks an inclusion proof of leafHash at index in a tree of
// size leaves against rootHex.
func verifyPath(index, size int64, leafHash []byte, path []string, rootHex string) error {
	root, err := decodeHash(rootHex)
	if err != nil {
		return fmt.Errorf("root: %w", err)
	}
	nodes, err := decodeHashes(path)
	if err != nil {
		return err
	}
	if index < 0 || size <= index {
		return errors.New("index outside the tree")
	}
	if err := merkle.VerifyInclusion(uint64(index), uint64(size), leafHash, nodes, root); err != nil {
		return errors.New("its audit path leads to another root")
	}
	return nil
}

// decodeHash decodes a SHA-256 hash written as 64 lower-case hex digits,
// the only form the formats use.
func decodeHash(s string) ([]byte, error) {
	if !isHash(s) {
		return nil, fmt.Errorf("%.70q is not 64 lower-case hex digits", s)
	}
	return hex.DecodeString(s)
}

func decodeHashes(list []string) ([][]byte, error) {
	out := make([][]byte, len(list))
	for i, s := range list {
		h, err := decodeHash(s)
		if err != nil {
			return nil, fmt.Errorf("node %d: %w", i, err)
		}
		out[i] = h
	}
	return out, nil
}

func isHash(s string) bool {
	if len(s) != 2*sha256.Size {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}
