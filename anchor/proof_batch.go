package anchor

import (
	"context"
	"encoding/hex"
	"fmt"

	"github.com/healthanchor/healthanchor/anchor/batchfile"
)

// ProveBatch builds the batch bundle (scope ScopeBatch) of batch batchID
// from this chain alone: the manifest as anchored here, its block, its
// log inclusion, checkpoint (a quorum checkpoint of this replica) with
// its consistency proof, and the membership blocks. It proves a whole
// batch file together with that file (VerifyBatchBundle), where a
// record's bundle proves one record. The bundle is checked with
// VerifyProof before it is returned; a batch not on this chain is a
// *RecordError of row -1.
func (c *Chain) ProveBatch(ctx context.Context, batchID, checkpoint string) (Proof, error) {
	a, ok, err := c.Lookup(ctx, batchID)
	if err != nil {
		return Proof{}, err
	}
	if !ok {
		return Proof{}, &RecordError{BatchID: batchID, Row: -1, Err: fmt.Errorf("batch is not on this node's chain")}
	}
	p, err := c.bundleFrame(ctx, a, checkpoint)
	if err != nil {
		return Proof{}, err
	}
	p.Scope = ScopeBatch
	if _, err := VerifyProof(p, c.Genesis()); err != nil {
		return Proof{}, fmt.Errorf("anchor: batch %s: the bundle would not verify: %w", batchID, err)
	}
	return p, nil
}

// VerifyBatchBundle checks a batch bundle and the batch file at path
// together, offline, with the genesis alone: the bundle as VerifyProof
// does (manifest signature, block, log, membership, quorum checkpoint),
// then the file against the bundle's manifest: the batch id and schema
// in its footer, its row count, and its Merkle root recomputed from its
// rows (an erased row by the leaf hash its _leaf column keeps,
// docs/format.md section 4a); a file without erased rows must also have
// the manifest's SHA-256 and size. Every failure is a *Mismatch.
func VerifyBatchBundle(ctx context.Context, p Proof, genesis Block, path string) (ProofReport, error) {
	if p.Scope != ScopeBatch {
		return ProofReport{}, &Mismatch{Problems: []string{"not a batch bundle (no \"scope\": \"batch\")"}}
	}
	rep, err := VerifyProof(p, genesis)
	if err != nil {
		return rep, err
	}
	sc, err := batchfile.Read(ctx, path, nil)
	if err != nil {
		return rep, &Mismatch{Problems: []string{fmt.Sprintf("%s does not decode as a batch file: %v", path, err)}}
	}
	rep.Rows, rep.Erased = sc.Rows, int64(len(sc.Erased))
	if problems := fileAgainstManifest(sc, p.Manifest); len(problems) > 0 {
		for i := range problems {
			problems[i] = fmt.Sprintf("batch %s file %s: %s", p.Manifest.BatchID, path, problems[i])
		}
		return rep, &Mismatch{Problems: problems}
	}
	return rep, nil
}

// fileAgainstManifest lists what differs between a read rows file and
// its manifest: footer batch id and schema, rows, Merkle root and, for a
// file without erased rows, SHA-256 and size.
func fileAgainstManifest(sc batchfile.Scan, m Manifest) []string {
	var problems []string
	differs := func(what, got, want string) {
		if got != want {
			problems = append(problems, fmt.Sprintf("%s: file has %s, anchor has %s", what, got, want))
		}
	}
	differs("batch id", sc.Meta[batchfile.MetaBatchID], m.BatchID)
	differs("schema", sc.Meta[batchfile.MetaSchema], m.Schema)
	differs("rows", fmt.Sprint(sc.Rows), fmt.Sprint(m.Rows))
	differs("merkle root", hex.EncodeToString(sc.Root), m.MerkleRoot)
	if len(sc.Erased) == 0 {
		differs("sha256", hex.EncodeToString(sc.SHA256), m.ParquetSHA256)
		differs("size", fmt.Sprint(sc.Size), fmt.Sprint(m.ParquetSize))
	}
	return problems
}
