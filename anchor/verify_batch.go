package anchor

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/healthanchor/healthanchor/anchor/batchfile"
	"github.com/healthanchor/healthanchor/schemas"
)

// BatchReport is what verifying one batch file established.
type BatchReport struct {
	Path        string `json:"path"`
	BatchID     string `json:"batch_id"`
	Kind        string `json:"kind"` // "rows" or "rejects"
	Schema      string `json:"schema"`
	Rows        int64  `json:"rows"`
	Root        string `json:"merkle_root"`
	SHA256      string `json:"sha256"`
	BlockHeight int64  `json:"block_height"`
	Agency      string `json:"agency"`
}

// Mismatch is a verification failure: the file or chain is not what was
// anchored. Callers exit 1 on it, as opposed to operational errors.
type Mismatch struct{ Problems []string }

// Error lists every problem found.
func (m *Mismatch) Error() string { return "verification failed: " + strings.Join(m.Problems, "; ") }

// VerifyBatch re-reads the batch (or rejects) file at path, recomputes its
// Merkle root and SHA-256, and checks them against the manifest anchored
// for its batch id, the manifest's signature, and the block holding it.
// A file that no longer decodes is a Mismatch too.
func (c *Chain) VerifyBatch(ctx context.Context, path string) (BatchReport, error) {
	rep := BatchReport{Path: path}
	sc, err := batchfile.Read(ctx, path, nil)
	if err != nil {
		return rep, &Mismatch{Problems: []string{fmt.Sprintf("%s does not decode as a batch file: %v", path, err)}}
	}
	rep.BatchID = sc.Meta[batchfile.MetaBatchID]
	rep.Schema = sc.Meta[batchfile.MetaSchema]
	rep.Rows = sc.Rows
	rep.Root = hex.EncodeToString(sc.Root)
	rep.SHA256 = hex.EncodeToString(sc.SHA256)
	if rep.BatchID == "" {
		return rep, &Mismatch{Problems: []string{path + ": footer names no batch id"}}
	}
	a, ok, err := c.Lookup(ctx, rep.BatchID)
	if err != nil {
		return rep, err
	}
	if !ok {
		return rep, &Mismatch{Problems: []string{fmt.Sprintf("%s: batch %s is not on the chain", path, rep.BatchID)}}
	}
	m := a.Manifest
	rep.BlockHeight, rep.Agency = a.Height, m.Agency
	var problems []string
	differs := func(what, got, want string) {
		if got != want {
			problems = append(problems, fmt.Sprintf("%s: file has %s, anchor has %s", what, got, want))
		}
	}
	if rep.Schema == schemas.Reject.ID() {
		rep.Kind = "rejects"
		differs("merkle root", rep.Root, m.RejectsRoot)
		differs("sha256", rep.SHA256, m.RejectsSHA256)
		differs("size", fmt.Sprint(sc.Size), fmt.Sprint(m.RejectsSize))
		differs("rows", fmt.Sprint(sc.Rows), fmt.Sprint(m.Rejects))
	} else {
		rep.Kind = "rows"
		differs("merkle root", rep.Root, m.MerkleRoot)
		differs("sha256", rep.SHA256, m.ParquetSHA256)
		differs("size", fmt.Sprint(sc.Size), fmt.Sprint(m.ParquetSize))
		differs("rows", fmt.Sprint(sc.Rows), fmt.Sprint(m.Rows))
		differs("schema", rep.Schema, m.Schema)
		differs("fingerprint", sc.Meta[batchfile.MetaFingerprint], m.Fingerprint)
	}
	differs("footer merkle root", sc.Meta[batchfile.MetaMerkleRoot], rep.Root)
	differs("footer rows", sc.Meta[batchfile.MetaRows], fmt.Sprint(sc.Rows))
	// Keys are those of the members when the block was added: a member
	// removed since then still signed its past batches.
	before, err := c.replayTo(ctx, a.Height-1, nil)
	if err != nil {
		return rep, err
	}
	pub, ok := before.keys[m.Agency]
	if !ok {
		problems = append(problems, fmt.Sprintf("agency %q is not a member", m.Agency))
	} else if err := m.Verify(pub); err != nil {
		problems = append(problems, err.Error())
	}
	if err := c.verifyBlockAt(ctx, a, before.keys); err != nil {
		problems = append(problems, err.Error())
	}
	if len(problems) > 0 {
		return rep, &Mismatch{Problems: problems}
	}
	return rep, nil
}

// verifyBlockAt checks the block holding an anchored manifest: its stored
// hash, its proposer's signature, and its link to the block before.
func (c *Chain) verifyBlockAt(ctx context.Context, a Anchored, keys map[string]ed25519.PublicKey) error {
	var hash, prev string
	var body []byte
	if err := c.conn().QueryRowContext(ctx, `SELECT hash, prev_hash, body FROM blocks WHERE height = ?`, a.Height).Scan(&hash, &prev, &body); err != nil {
		return fmt.Errorf("anchor: block %d: %w", a.Height, err)
	}
	b, err := decodeBlock(body)
	if err != nil {
		return err
	}
	if err := checkStored(b, a.Height, hash, prev, body); err != nil {
		return err
	}
	pub, ok := keys[b.Proposer]
	if !ok {
		return fmt.Errorf("anchor: block %d: proposer %q is not a member", b.Height, b.Proposer)
	}
	if err := b.VerifySignature(pub); err != nil {
		return err
	}
	var prevHash string
	if err := c.conn().QueryRowContext(ctx, `SELECT hash FROM blocks WHERE height = ?`, a.Height-1).Scan(&prevHash); err != nil {
		return fmt.Errorf("anchor: block %d: %w", a.Height-1, err)
	}
	if prevHash != b.PrevHash {
		return fmt.Errorf("anchor: block %d does not link to block %d", b.Height, b.Height-1)
	}
	return nil
}
