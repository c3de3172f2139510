package anchor

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/healthanchor/healthanchor/anchor/batchfile"
	"github.com/healthanchor/healthanchor/anchor/merkle"
)

// ProofVersion is the version of the proof bundle format (docs/proof.md).
const ProofVersion = 1

// Proof is a record's proof bundle: it chains one canonical record to its
// batch's Merkle root, the batch's signed manifest, the chain's manifest
// log, and a block signed by a member that commits to that log, so that an
// auditor holding only the members' public keys can check it, without the
// batch's other records and without a copy of the chain.
type Proof struct {
	Version  int         `json:"v"`
	ChainID  string      `json:"chain_id"`
	Record   ProofRecord `json:"record"`
	Manifest Manifest    `json:"manifest"`
	Log      ProofLog    `json:"log"`
	Block    Block       `json:"block"`
}

// ProofRecord is the record and its path to the batch root.
type ProofRecord struct {
	Canonical string   `json:"canonical"` // the record's canonical JSON (docs/format.md, section 1)
	Index     int64    `json:"index"`     // its row number in the batch file, 0-based
	Inclusion []string `json:"inclusion"` // hex RFC 9162 audit path to manifest.merkle_root
}

// ProofLog is the manifest's path to the chain's manifest log.
type ProofLog struct {
	Index     int64    `json:"index"`     // the manifest's position in the log
	Size      int64    `json:"size"`      // the log size the block commits to
	Inclusion []string `json:"inclusion"` // hex audit path to block.log_root
}

// RecordMatch picks the record to prove from a batch file.
type RecordMatch func(row int64, canonical []byte) bool

// Prove builds the proof bundle of the first record of the batch file at
// path that match selects, against the chain's head block.
func (c *Chain) Prove(ctx context.Context, path string, match RecordMatch) (Proof, error) {
	var leaves [][]byte
	var chosen int64 = -1
	var canonical []byte
	sc, err := batchfile.Read(ctx, path, func(row int64, rec []byte, lh [32]byte) error {
		leaves = append(leaves, append([]byte(nil), lh[:]...))
		if chosen < 0 && match(row, rec) {
			chosen, canonical = row, append([]byte(nil), rec...)
		}
		return nil
	})
	if err != nil {
		return Proof{}, err
	}
	if chosen < 0 {
		return Proof{}, fmt.Errorf("anchor: prove: no record of %s matches", path)
	}
	batchID := sc.Meta[batchfile.MetaBatchID]
	a, ok, err := c.Lookup(ctx, batchID)
	if err != nil {
		return Proof{}, err
	}
	if !ok {
		return Proof{}, fmt.Errorf("anchor: prove: batch %s is not on the chain", batchID)
	}
	root := hex.EncodeToString(sc.Root)
	if root != a.Manifest.MerkleRoot && root != a.Manifest.RejectsRoot {
		return Proof{}, &Mismatch{Problems: []string{fmt.Sprintf("%s: root %s is not the anchored root of batch %s", path, root, batchID)}}
	}
	recPath, err := merkle.InclusionProof(uint64(chosen), uint64(len(leaves)), leaves)
	if err != nil {
		return Proof{}, err
	}
	head, err := c.Head(ctx)
	if err != nil {
		return Proof{}, err
	}
	all, err := c.Manifests(ctx)
	if err != nil {
		return Proof{}, err
	}
	logLeaves := make([][]byte, len(all))
	for i, m := range all {
		if logLeaves[i], err = m.Manifest.LeafHash(); err != nil {
			return Proof{}, err
		}
	}
	logPath, err := merkle.InclusionProof(uint64(a.LogIndex), uint64(head.LogSize), logLeaves)
	if err != nil {
		return Proof{}, err
	}
	return Proof{
		Version: ProofVersion, ChainID: c.ChainID(),
		Record:   ProofRecord{Canonical: string(canonical), Index: chosen, Inclusion: hexAll(recPath)},
		Manifest: a.Manifest,
		Log:      ProofLog{Index: a.LogIndex, Size: head.LogSize, Inclusion: hexAll(logPath)},
		Block:    head,
	}, nil
}

// ProofReport says what a verified proof established.
type ProofReport struct {
	BatchID     string `json:"batch_id"`
	Agency      string `json:"agency"`
	Schema      string `json:"schema"`
	Row         int64  `json:"row"`
	BlockHeight int64  `json:"block_height"`
	BlockHash   string `json:"block_hash"`
	LogSize     int64  `json:"log_size"`
}

// VerifyProof checks a proof bundle offline against the members of the
// genesis: the record's path to the batch root, the manifest's signature
// by its agency, the manifest's path to the log root, and the block's
// signature by a member and its commitment to that log root.
func VerifyProof(p Proof, genesis Block) (ProofReport, error) {
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	members, err := checkGenesis(genesis)
	if err != nil {
		return ProofReport{}, err
	}
	m := p.Manifest
	rep := ProofReport{BatchID: m.BatchID, Agency: m.Agency, Schema: m.Schema, Row: p.Record.Index, BlockHeight: p.Block.Height, LogSize: p.Log.Size}
	if p.Version != ProofVersion {
		bad("proof version %d, want %d", p.Version, ProofVersion)
	}
	if p.ChainID != genesis.ChainID || m.ChainID != genesis.ChainID || p.Block.ChainID != genesis.ChainID {
		bad("chain id differs from the genesis's %q", genesis.ChainID)
	}
	// Record -> batch root.
	leaf := sha256.Sum256(append([]byte{0}, p.Record.Canonical...))
	var schema struct {
		Schema string `json:"_schema"`
	}
	dec := json.NewDecoder(bytes.NewReader([]byte(p.Record.Canonical)))
	if err := dec.Decode(&schema); err != nil {
		bad("record is not JSON: %v", err)
	}
	root, size := m.MerkleRoot, m.Rows
	if schema.Schema == "reject/1" {
		root, size = m.RejectsRoot, m.Rejects
	}
	if err := verifyPath(p.Record.Index, size, leaf[:], p.Record.Inclusion, root); err != nil {
		bad("record %d is not in batch %s (root %.16s…): %v", p.Record.Index, m.BatchID, root, err)
	}
	// Manifest signature.
	if pub, ok := members[m.Agency]; !ok {
		bad("agency %q is not a member", m.Agency)
	} else if err := m.Verify(pub); err != nil {
		bad("%v", err)
	}
	// Manifest -> log root.
	lh, err := m.LeafHash()
	if err != nil {
		return rep, err
	}
	if p.Log.Size != p.Block.LogSize {
		bad("log size %d, but the block commits to %d", p.Log.Size, p.Block.LogSize)
	}
	if err := verifyPath(p.Log.Index, p.Log.Size, lh, p.Log.Inclusion, p.Block.LogRoot); err != nil {
		bad("manifest is not in the chain's log (root %.16s…): %v", p.Block.LogRoot, err)
	}
	// Block signature.
	if pub, ok := members[p.Block.Proposer]; !ok {
		bad("block proposer %q is not a member", p.Block.Proposer)
	} else if err := p.Block.VerifySignature(pub); err != nil {
		bad("%v", err)
	}
	rep.BlockHash, _ = p.Block.Hash()
	if len(problems) > 0 {
		return rep, &Mismatch{Problems: problems}
	}
	return rep, nil
}

func verifyPath(index, size int64, leafHash []byte, path []string, rootHex string) error {
	root, err := hex.DecodeString(rootHex)
	if err != nil {
		return fmt.Errorf("root is not hex")
	}
	nodes := make([][]byte, len(path))
	for i, h := range path {
		if nodes[i], err = hex.DecodeString(h); err != nil {
			return fmt.Errorf("path node %d is not hex", i)
		}
	}
	if index < 0 || size <= index {
		return errors.New("index outside the tree")
	}
	if err := merkle.VerifyInclusion(uint64(index), uint64(size), leafHash, nodes, root); err != nil {
		return errors.New("its audit path leads to another root")
	}
	return nil
}

func hexAll(hashes [][]byte) []string {
	out := make([]string, len(hashes))
	for i, h := range hashes {
		out[i] = hex.EncodeToString(h)
	}
	return out
}
