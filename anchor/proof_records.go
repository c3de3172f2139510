package anchor

import (
	"context"
	"fmt"

	"github.com/healthanchor/healthanchor/anchor/merkle"
)

// bundleFrame is the part of a proof bundle that comes from the chain,
// not from the batch file: the anchored manifest, its log inclusion, its
// block, the checkpoint with its consistency proof and the membership
// blocks. It is the same for every record of a batch.
func (c *Chain) bundleFrame(ctx context.Context, a Anchored, checkpoint string) (Proof, error) {
	logLeaves, membership, err := c.logAndMembership(ctx)
	if err != nil {
		return Proof{}, err
	}
	block, err := c.Block(ctx, a.Height)
	if err != nil {
		return Proof{}, err
	}
	logPath, err := merkle.InclusionProof(uint64(a.LogIndex), uint64(block.LogSize), logLeaves)
	if err != nil {
		return Proof{}, err
	}
	consistency, err := consistencyTo(checkpoint, block.LogSize, logLeaves)
	if err != nil {
		return Proof{}, err
	}
	return Proof{
		Version: ProofVersion, ChainID: c.ChainID(), Manifest: a.Manifest,
		Log:        ProofLog{Index: a.LogIndex, Size: block.LogSize, Inclusion: hexAll(logPath)},
		Block:      block,
		Checkpoint: ProofCheckpoint{Note: checkpoint, Consistency: hexAll(consistency)},
		Membership: membership,
	}, nil
}

// RecordError names the record that failed and why.
type RecordError struct {
	BatchID string
	Row     int64
	Err     error
}

func (e *RecordError) Error() string {
	return fmt.Sprintf("batch %s record %d: %v", e.BatchID, e.Row, e.Err)
}

func (e *RecordError) Unwrap() error { return e.Err }

// ProveRecords builds the proof bundle of each record that another
// party sent as belonging to batch batchID, taking everything but the
// record (its canonical form, row and inclusion path) from this chain:
// the manifest as anchored here, its block, log and checkpoint (a quorum
// checkpoint of this replica). Each bundle is checked with VerifyProof,
// as `verify proof` does; the first that fails is a *RecordError naming
// the record and the check. A batch not on this chain fails too.
func (c *Chain) ProveRecords(ctx context.Context, batchID string, records []ProofRecord, checkpoint string) ([]Proof, error) {
	a, ok, err := c.Lookup(ctx, batchID)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, &RecordError{BatchID: batchID, Row: -1, Err: fmt.Errorf("batch is not on this node's chain")}
	}
	frame, err := c.bundleFrame(ctx, a, checkpoint)
	if err != nil {
		return nil, err
	}
	out := make([]Proof, 0, len(records))
	for i, rec := range records {
		p := frame
		p.Record = rec
		// The frame is the same for every record: the first bundle is
		// checked whole, as verify proof does (signatures, checkpoint,
		// membership), and each next one in what differs, its record.
		if i == 0 {
			_, err = VerifyProof(p, c.Genesis())
		} else {
			err = verifyRecord(p)
		}
		if err != nil {
			return out, &RecordError{BatchID: batchID, Row: rec.Index, Err: err}
		}
		out = append(out, p)
	}
	return out, nil
}
