package anchor

import (
	"context"
	"fmt"
)

// ChainReport summarises a verified chain.
type ChainReport struct {
	Height    int64  `json:"height"`
	HeadHash  string `json:"head_hash"`
	Manifests int64  `json:"manifests"`
	Entries   int64  `json:"entries,omitempty"` // entries (entry.go) besides the manifests
	LogRoot   string `json:"log_root"`
}

// indexRow is one row of the manifests index table.
type indexRow struct {
	height, logIndex, producerSeq, rows, rejects int64
	idx                                          int
	agency, job, schema, root, sha, leaf         string
}

// Verify checks the whole chain from genesis to head: the genesis
// signature, every block's stored hash, canonical body, height, hash link,
// proposer signature and log root, every manifest's signature, gapless
// producer_seq and unique batch id, that the manifests index table says
// exactly what the blocks say, and that every stored checkpoint is one
// of this chain's log, signed by a member. The first problem found is
// returned.
func (c *Chain) Verify(ctx context.Context) (ChainReport, error) {
	index, err := c.loadIndex(ctx)
	if err != nil {
		return ChainReport{}, err
	}
	var logIndex, entries int64
	cps := newCheckpointLog(c.Genesis())
	v, err := c.replay(ctx, func(b Block, _ string) error {
		cps.add(b)
		for i, m := range b.Manifests {
			row, ok := index[m.BatchID]
			if !ok {
				return fmt.Errorf("anchor: block %d manifest %d (batch %s) is missing from the manifests index", b.Height, i, m.BatchID)
			}
			delete(index, m.BatchID)
			lh, err := m.LeafHash()
			if err != nil {
				return err
			}
			want := indexRow{b.Height, logIndex, m.ProducerSeq, m.Rows, m.Rejects, i, m.Agency, m.Job, m.Schema, m.MerkleRoot, m.ParquetSHA256, fmt.Sprintf("%x", lh)}
			if row != want {
				return fmt.Errorf("anchor: manifests index row of batch %s differs from block %d:\n index %+v\n block %+v", m.BatchID, b.Height, row, want)
			}
			logIndex++
		}
		logIndex += int64(len(b.Entries))
		entries += int64(len(b.Entries))
		return nil
	})
	if err != nil {
		return ChainReport{}, err
	}
	for id := range index {
		return ChainReport{}, fmt.Errorf("anchor: manifests index lists batch %s, which no block holds", id)
	}
	if err := c.verifyCheckpoints(ctx, cps); err != nil {
		return ChainReport{}, err
	}
	return ChainReport{Height: v.height, HeadHash: v.headHash, Manifests: int64(v.log.Size()) - entries, Entries: entries, LogRoot: fmt.Sprintf("%x", v.log.Root())}, nil
}

func (c *Chain) loadIndex(ctx context.Context) (map[string]indexRow, error) {
	rows, err := c.conn().QueryContext(ctx, `SELECT batch_id, height, idx, log_index, agency, producer_seq, job, schema, rows, rejects, merkle_root, parquet_sha256, leaf_hash FROM manifests`)
	if err != nil {
		return nil, fmt.Errorf("anchor: manifests index: %w", err)
	}
	defer rows.Close()
	out := map[string]indexRow{}
	for rows.Next() {
		var id string
		var r indexRow
		if err := rows.Scan(&id, &r.height, &r.idx, &r.logIndex, &r.agency, &r.producerSeq, &r.job, &r.schema, &r.rows, &r.rejects, &r.root, &r.sha, &r.leaf); err != nil {
			return nil, fmt.Errorf("anchor: manifests index: %w", err)
		}
		out[id] = r
	}
	return out, rows.Err()
}

// Manifests lists every anchored manifest in log order with its place.
func (c *Chain) Manifests(ctx context.Context) ([]Anchored, error) {
	var out []Anchored
	var logIndex int64
	_, err := c.replay(ctx, func(b Block, _ string) error {
		for i, m := range b.Manifests {
			out = append(out, Anchored{Manifest: m, Height: b.Height, Index: i, LogIndex: logIndex})
			logIndex++
		}
		logIndex += int64(len(b.Entries))
		return nil
	})
	return out, err
}
