package anchor

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/transparency-dev/formats/log"

	"github.com/healthanchor/healthanchor/anchor/batchfile"
	"github.com/healthanchor/healthanchor/anchor/merkle"
)

// ProofVersion is the version of the proof bundle format (docs/proof.md).
// Version 1 bundles ended at one member's block; version 2 bundles end at
// a checkpoint signed by a quorum of the members.
const ProofVersion = 2

// ScopeBatch is the scope of a batch bundle (Proof.Scope).
const ScopeBatch = "batch"

// Proof is a record's proof bundle: it chains one canonical record to its
// batch's Merkle root, the batch's signed manifest, the chain's manifest
// log at the block that anchored it, and, by a consistency proof, the
// log of a checkpoint signed by a quorum of the members, so that an
// auditor holding only the genesis can check it, without the batch's
// other records and without a copy of the chain.
type Proof struct {
	Version int    `json:"v"`
	ChainID string `json:"chain_id"`
	// Scope is ScopeBatch for a batch bundle, which proves a whole batch
	// file together with that file (VerifyBatchBundle) and holds no
	// record; it is absent from a record's bundle.
	Scope      string          `json:"scope,omitempty"`
	Record     ProofRecord     `json:"record,omitzero"`
	Manifest   Manifest        `json:"manifest"`
	Log        ProofLog        `json:"log"`
	Block      Block           `json:"block"`
	Checkpoint ProofCheckpoint `json:"checkpoint"`
	// Membership holds the chain's membership blocks, in height order,
	// that lead from the genesis members to the current ones.
	Membership []Block `json:"membership"`
}

// ProofRecord is the record and its path to the batch root.
type ProofRecord struct {
	Canonical string   `json:"canonical"` // the record's canonical JSON (docs/format.md, section 1)
	Index     int64    `json:"index"`     // its row number in the batch file, 0-based
	Inclusion []string `json:"inclusion"` // hex RFC 9162 audit path to manifest.merkle_root
}

// ProofLog is the manifest's path to the block's manifest log.
type ProofLog struct {
	Index     int64    `json:"index"`     // the manifest's position in the log
	Size      int64    `json:"size"`      // the log size the block commits to
	Inclusion []string `json:"inclusion"` // hex audit path to block.log_root
}

// ProofCheckpoint is the cosigned checkpoint a proof ends at, and the
// consistency proof from the block's log to the checkpoint's.
type ProofCheckpoint struct {
	Note        string   `json:"note"`        // C2SP tlog-checkpoint signed note, with every signature and cosignature
	Consistency []string `json:"consistency"` // hex RFC 9162 consistency proof from block.log_size to the checkpoint's size
}

// ErrNoRecord means no record of the batch file matched: try another
// file of the batch (its rejects file) or another selector.
var ErrNoRecord = errors.New("no matching record")

// RecordMatch picks the record to prove from a batch file.
type RecordMatch func(row int64, canonical []byte) bool

// Prove builds the proof bundle of the first record of the batch file at
// path that match selects, ending at checkpoint (a signed checkpoint note
// of this chain's log, with its cosignatures). It checks the bundle as
// an auditor would before returning it: a checkpoint not yet signed by a
// quorum of the members is an error naming who is missing.
func (c *Chain) Prove(ctx context.Context, path string, match RecordMatch, checkpoint string) (Proof, error) {
	ps, err := c.prove(ctx, path, localRows(ctx, path), match, checkpoint, false)
	if len(ps) == 0 {
		return Proof{}, err
	}
	return ps[0], err
}

// ProveAll is Prove for every record of the file that match selects, in
// row order. It fails as Prove does, ErrNoRecord when none matches.
func (c *Chain) ProveAll(ctx context.Context, path string, match RecordMatch, checkpoint string) ([]Proof, error) {
	return c.prove(ctx, path, localRows(ctx, path), match, checkpoint, true)
}

// ProveFrom is Prove for a batch file already open as src (an object in
// a bucket read by ranges), named name in errors.
func (c *Chain) ProveFrom(ctx context.Context, name string, src batchfile.Source, match RecordMatch, checkpoint string) (Proof, error) {
	ps, err := c.prove(ctx, name, sourceRows(ctx, name, src), match, checkpoint, false)
	if len(ps) == 0 {
		return Proof{}, err
	}
	return ps[0], err
}

// ProveAllFrom is ProveAll for a batch file already open as src.
func (c *Chain) ProveAllFrom(ctx context.Context, name string, src batchfile.Source, match RecordMatch, checkpoint string) ([]Proof, error) {
	return c.prove(ctx, name, sourceRows(ctx, name, src), match, checkpoint, true)
}

// rowReader reads a batch file's rows, calling fn for each.
type rowReader func(fn batchfile.RowFunc) (batchfile.Scan, error)

func localRows(ctx context.Context, path string) rowReader {
	return func(fn batchfile.RowFunc) (batchfile.Scan, error) { return batchfile.Read(ctx, path, fn) }
}

func sourceRows(ctx context.Context, name string, src batchfile.Source) rowReader {
	return func(fn batchfile.RowFunc) (batchfile.Scan, error) { return batchfile.ReadFrom(ctx, name, src, fn) }
}

func (c *Chain) prove(ctx context.Context, path string, read rowReader, match RecordMatch, checkpoint string, all bool) ([]Proof, error) {
	file, err := readRecords(path, read, match, all)
	if err != nil {
		return nil, err
	}
	a, ok, err := c.Lookup(ctx, file.batchID)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("anchor: prove: batch %s is not on the chain", file.batchID)
	}
	if file.root != a.Manifest.MerkleRoot && file.root != a.Manifest.RejectsRoot {
		return nil, &Mismatch{Problems: []string{fmt.Sprintf("%s: root %s is not the anchored root of batch %s", path, file.root, file.batchID)}}
	}
	frame, err := c.bundleFrame(ctx, a, checkpoint)
	if err != nil {
		return nil, err
	}
	var out []Proof
	for _, rec := range file.records {
		recPath, err := merkle.InclusionProof(uint64(rec.row), uint64(len(file.leaves)), file.leaves)
		if err != nil {
			return out, err
		}
		p := frame
		p.Record = ProofRecord{Canonical: string(rec.canonical), Index: rec.row, Inclusion: hexAll(recPath)}
		if _, err := VerifyProof(p, c.Genesis()); err != nil {
			return append(out, p), fmt.Errorf("anchor: prove: the bundle would not verify: %w", err)
		}
		out = append(out, p)
	}
	return out, nil
}

// provenFile is what Prove read from a batch file: every leaf hash and
// the records picked.
type provenFile struct {
	batchID, root string
	leaves        [][]byte
	records       []provenRecord
}

// provenRecord is one record picked from a batch file.
type provenRecord struct {
	row       int64
	canonical []byte
}

func readRecords(path string, read rowReader, match RecordMatch, all bool) (provenFile, error) {
	var file provenFile
	sc, err := read(func(row int64, canonical []byte, lh [32]byte) error {
		file.leaves = append(file.leaves, append([]byte(nil), lh[:]...))
		// An erased row has no record left to prove.
		if canonical != nil && (all || len(file.records) == 0) && match(row, canonical) {
			file.records = append(file.records, provenRecord{row: row, canonical: append([]byte(nil), canonical...)})
		}
		return nil
	})
	if err != nil {
		return file, err
	}
	if len(file.records) == 0 {
		return file, fmt.Errorf("anchor: prove: no record of %s matches: %w", path, ErrNoRecord)
	}
	file.batchID, file.root = sc.Meta[batchfile.MetaBatchID], hex.EncodeToString(sc.Root)
	return file, nil
}

// logAndMembership replays the chain and returns the leaf hashes of its
// manifest log and its membership blocks.
func (c *Chain) logAndMembership(ctx context.Context) ([][]byte, []Block, error) {
	var leaves [][]byte
	membership := []Block{}
	_, err := c.replay(ctx, func(b Block, _ string) error {
		if b.Membership != nil {
			membership = append(membership, b)
		}
		lhs, err := b.LogLeaves()
		leaves = append(leaves, lhs...)
		return err
	})
	return leaves, membership, err
}

// consistencyTo returns the consistency proof from the log's first from
// leaves to the checkpoint's, after checking that the checkpoint is one
// of this log.
func consistencyTo(checkpoint string, from int64, leaves [][]byte) ([][]byte, error) {
	body, _, ok := strings.Cut(checkpoint, "\n\n")
	if !ok {
		return nil, fmt.Errorf("anchor: prove: checkpoint is not a signed note")
	}
	var cp log.Checkpoint
	if _, err := cp.Unmarshal([]byte(body + "\n")); err != nil {
		return nil, fmt.Errorf("anchor: prove: checkpoint: %w", err)
	}
	size := int64(cp.Size)
	if size < from || size > int64(len(leaves)) {
		return nil, fmt.Errorf("anchor: prove: checkpoint of log size %d does not cover the block's log of %d manifests (the chain holds %d): wait for the next checkpoint", size, from, len(leaves))
	}
	if root := merkle.RootOf(leaves[:size]); hex.EncodeToString(root) != hex.EncodeToString(cp.Hash) {
		return nil, fmt.Errorf("anchor: prove: checkpoint of log size %d disagrees with this chain (fork evidence: see chain status)", size)
	}
	return merkle.ConsistencyProof(uint64(from), uint64(size), leaves)
}

func hexAll(hashes [][]byte) []string {
	out := make([]string, len(hashes))
	for i, h := range hashes {
		out[i] = hex.EncodeToString(h)
	}
	return out
}
