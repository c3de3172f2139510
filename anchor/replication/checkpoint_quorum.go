package replication

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"

	"github.com/healthanchor/healthanchor/anchor"
)

// latestQuorumNote returns the checkpoint of the largest log size this
// node holds that a quorum of chain's current members signed
// (anchor.Chain.QuorumSigned, the rule of a proof's checkpoint), with
// every signature collected; "" when none does yet. The latest
// checkpoint is usually still collecting cosignatures, so a proof that
// must hold now ends at this one instead.
func (c *checkpointer) latestQuorumNote(ctx context.Context, chain *anchor.Chain) (string, error) {
	sizes, err := c.n.store.checkpointSizes(ctx)
	if err != nil {
		return "", err
	}
	for _, size := range sizes {
		text, err := c.noteAt(ctx, size)
		if err != nil {
			return "", err
		}
		if _, ok, err := chain.QuorumSigned(ctx, text); err == nil && ok {
			return text, nil
		}
	}
	return "", nil
}

// checkpointSizes lists the log sizes of the stored checkpoints, largest
// first.
func (s *raftStore) checkpointSizes(ctx context.Context) ([]int64, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT size FROM checkpoints ORDER BY size DESC`)
	if err != nil {
		return nil, fmt.Errorf("replication: checkpoints: %w", err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var n int64
		if err := rows.Scan(&n); err != nil {
			return nil, fmt.Errorf("replication: checkpoints: %w", err)
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// QuorumCheckpoint returns the latest checkpoint of the node at addr that
// a quorum of the chain's members signed, "" when it holds none yet.
func (c *Client) QuorumCheckpoint(ctx context.Context, addr string) (string, error) {
	var s string
	err := c.do(ctx, http.MethodGet, addr, "/v1/checkpoint?quorum=1", nil, &s, nil)
	return s, err
}

// StoredQuorumCheckpoint reads, from a node's data folder, the latest
// checkpoint that a quorum of chain's current members signed, for when
// the node is not running; "" when there is none.
func StoredQuorumCheckpoint(cfg Config, baseDir string, chain *anchor.Chain) (string, error) {
	store, err := openRaftStore(filepath.Join(resolve(baseDir, cfg.DataDir), raftDBName))
	if err != nil {
		return "", err
	}
	defer store.Close()
	c := &checkpointer{n: &Node{store: store}}
	return c.latestQuorumNote(context.Background(), chain)
}
