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
	// Erasure, for a file with erased rows (or rows an anchored erasure
	// entry covers), says which entries erased them.
	Erasure *ErasureReport `json:"erasure,omitempty"`
	// Retained, when set, says the file is no longer held: it was
	// removed under retention, as the entry it names says. The other
	// fields are then the manifest's.
	Retained *Retained `json:"retained,omitempty"`
}

// Retained names the retention entry under which a batch file was
// removed (docs/lifecycle.md).
type Retained struct {
	Height    int64  `json:"entry_height"` // the block holding the entry
	Retention string `json:"retention"`    // the job's period then ("10y")
	Time      string `json:"time"`         // that block's time
}

// Mismatch is a verification failure: the file or chain is not what was
// anchored. Callers exit 1 on it, as opposed to operational errors.
type Mismatch struct{ Problems []string }

// Error lists every problem found.
func (m *Mismatch) Error() string { return "verification failed: " + strings.Join(m.Problems, "; ") }

// The two files of a batch, as BatchReport.Kind names them.
const (
	FileRows    = "rows"
	FileRejects = "rejects"
)

// VerifyBatch re-reads the batch (or rejects) file at path and checks it
// as the file its own footer says it is: the batch id in the footer
// selects the manifest, and the footer's schema says whether the file is
// the batch's rows file or its rejects file. Everything is then checked
// against that manifest, as VerifyBatchFile does. It is for a file handed
// over on its own; to check that a file is a given batch's, use
// VerifyBatchFile. A file that no longer decodes is a Mismatch too.
func (c *Chain) VerifyBatch(ctx context.Context, path string) (BatchReport, error) {
	sc, err := batchfile.Read(ctx, path, nil)
	if err != nil {
		return BatchReport{Path: path}, &Mismatch{Problems: []string{fmt.Sprintf("%s does not decode as a batch file: %v", path, err)}}
	}
	id := sc.Meta[batchfile.MetaBatchID]
	if id == "" {
		return BatchReport{Path: path}, &Mismatch{Problems: []string{path + ": footer names no batch id"}}
	}
	kind := FileRows
	if sc.Meta[batchfile.MetaSchema] == schemas.Reject.ID() {
		kind = FileRejects
	}
	return c.verifyScanned(ctx, path, sc, id, kind)
}

// VerifyBatchFile re-reads the file at path and checks it as the kind
// (FileRows or FileRejects) file of batch batchID: its Merkle root,
// SHA-256, size and row count against that batch's anchored manifest
// (the rows or the rejects fields), the batch id and schema in its footer,
// the manifest's signature, and the block holding it. Another batch's
// file, or the batch's rejects file in place of its rows file, is a
// Mismatch naming the batch and what differs.
func (c *Chain) VerifyBatchFile(ctx context.Context, path, batchID, kind string) (BatchReport, error) {
	return c.VerifyBatchFileRows(ctx, path, batchID, kind, nil)
}

// VerifyBatchFileRows is VerifyBatchFile that also shows every row it
// reads to fn (batchfile.Read), in one pass over the file: what a
// caller needs from the rows is had while they are checked. fn's rows
// are only trusted once it returns no error.
func (c *Chain) VerifyBatchFileRows(ctx context.Context, path, batchID, kind string, fn batchfile.RowFunc) (BatchReport, error) {
	sc, err := batchfile.Read(ctx, path, fn)
	if err != nil {
		return BatchReport{Path: path, BatchID: batchID, Kind: kind}, &Mismatch{Problems: []string{
			fmt.Sprintf("batch %s %s file %s does not decode as a batch file: %v", batchID, kind, path, err)}}
	}
	return c.verifyScanned(ctx, path, sc, batchID, kind)
}

// VerifyBatchFrom is VerifyBatchFile for a file open as src (an object
// in a bucket read by ranges), named name in the report and messages.
func (c *Chain) VerifyBatchFrom(ctx context.Context, name string, src batchfile.Source, batchID, kind string) (BatchReport, error) {
	sc, err := batchfile.ReadFrom(ctx, name, src, nil)
	if err != nil {
		return BatchReport{Path: name, BatchID: batchID, Kind: kind}, &Mismatch{Problems: []string{
			fmt.Sprintf("batch %s %s file %s does not decode as a batch file: %v", batchID, kind, name, err)}}
	}
	return c.verifyScanned(ctx, name, sc, batchID, kind)
}

// verifyScanned checks a read file as the kind file of batch batchID.
func (c *Chain) verifyScanned(ctx context.Context, path string, sc batchfile.Scan, batchID, kind string) (BatchReport, error) {
	rep := BatchReport{Path: path, BatchID: batchID, Kind: kind, Schema: sc.Meta[batchfile.MetaSchema], Rows: sc.Rows,
		Root: hex.EncodeToString(sc.Root), SHA256: hex.EncodeToString(sc.SHA256)}
	where := fmt.Sprintf("batch %s %s file %s", batchID, kind, path)
	a, ok, err := c.Lookup(ctx, batchID)
	if err != nil {
		return rep, err
	}
	if !ok {
		return rep, &Mismatch{Problems: []string{where + ": the batch is not on the chain"}}
	}
	m := a.Manifest
	rep.BlockHeight, rep.Agency = a.Height, m.Agency
	var problems []string
	differs := func(what, got, want string) {
		if got != want {
			problems = append(problems, fmt.Sprintf("%s: %s: file has %s, anchor has %s", where, what, got, want))
		}
	}
	// A file rewritten by erasure is no longer the bytes anchored: its
	// root, from the kept rows and the erased rows' leaf hashes, is
	// what still binds it (checkErasures then accounts for every erased
	// row).
	digest := func(sha, size string) {
		if len(sc.Erased) == 0 {
			differs("sha256", rep.SHA256, sha)
			differs("size", fmt.Sprint(sc.Size), size)
		}
	}
	differs("batch id", sc.Meta[batchfile.MetaBatchID], batchID)
	if kind == FileRejects {
		differs("schema", rep.Schema, schemas.Reject.ID())
		differs("merkle root", rep.Root, m.RejectsRoot)
		digest(m.RejectsSHA256, fmt.Sprint(m.RejectsSize))
		differs("rows", fmt.Sprint(sc.Rows), fmt.Sprint(m.Rejects))
	} else {
		differs("schema", rep.Schema, m.Schema)
		differs("fingerprint", sc.Meta[batchfile.MetaFingerprint], m.Fingerprint)
		differs("merkle root", rep.Root, m.MerkleRoot)
		digest(m.ParquetSHA256, fmt.Sprint(m.ParquetSize))
		differs("rows", fmt.Sprint(sc.Rows), fmt.Sprint(m.Rows))
	}
	// The footer's own claims are checked against the file's rows, not
	// against the anchor (which the checks above do).
	footer := func(what, claimed, actual string) {
		if claimed != actual {
			problems = append(problems, fmt.Sprintf("%s: footer %s: the footer says %s, the file's rows give %s", where, what, claimed, actual))
		}
	}
	footer("merkle root", sc.Meta[batchfile.MetaMerkleRoot], rep.Root)
	footer("rows", sc.Meta[batchfile.MetaRows], fmt.Sprint(sc.Rows))
	erasureProblems, err := c.checkErasures(ctx, &rep, sc, m.Agency, where)
	if err != nil {
		return rep, err
	}
	problems = append(problems, erasureProblems...)
	// Keys are those of the members when the block was added: a member
	// removed since then still signed its past batches.
	before, err := c.replayTo(ctx, a.Height-1, nil)
	if err != nil {
		return rep, err
	}
	pub, ok := before.keys[m.Agency]
	if !ok {
		problems = append(problems, fmt.Sprintf("%s: agency %q is not a member", where, m.Agency))
	} else if err := m.Verify(pub); err != nil {
		problems = append(problems, fmt.Sprintf("%s: %v", where, err))
	}
	if err := c.verifyBlockAt(ctx, a, before.keys); err != nil {
		problems = append(problems, fmt.Sprintf("%s: %v", where, err))
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
