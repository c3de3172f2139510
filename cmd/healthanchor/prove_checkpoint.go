package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/healthanchor/healthanchor/anchor/replication"
	"github.com/healthanchor/healthanchor/pipeline"
)

// proofCheckpoint returns the checkpoint a proof ends at: on a
// single-node chain, the head's checkpoint signed by the node's own key
// (stored at each append; signed again here if the last one was missed);
// on a replicated chain, the latest checkpoint with every signature and
// cosignature the node collected, from the running node or, when it is
// not running, from its data folder.
func proofCheckpoint(ctx context.Context, n *pipeline.Node) (string, error) {
	text, err := nodeCheckpoint(ctx, n, false)
	if err == nil && text == "" {
		err = errors.New("this node holds no checkpoint yet")
	}
	if err != nil {
		return "", fmt.Errorf("prove: checkpoint: %w", err)
	}
	return text, nil
}

// nodeCheckpoint returns the node's latest checkpoint, or with quorum
// the latest one a quorum of the members signed ("" when none), from the
// running node or its data folder.
func nodeCheckpoint(ctx context.Context, n *pipeline.Node, quorum bool) (string, error) {
	cfg := n.Config
	if cfg.Cluster == nil {
		return n.Chain.SignCheckpoint(ctx, cfg.Agency.ID, n.SigningKey())
	}
	c, err := replication.NewClient(*cfg.Cluster, cfg.Dir())
	if err != nil {
		return "", err
	}
	cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	get, stored := c.Checkpoint, func() (string, error) { return replication.StoredCheckpoint(*cfg.Cluster, cfg.Dir()) }
	if quorum {
		get, stored = c.QuorumCheckpoint, func() (string, error) { return replication.StoredQuorumCheckpoint(*cfg.Cluster, cfg.Dir(), n.Chain) }
	}
	text, err := get(cctx, cfg.Cluster.APIAddr)
	if errors.Is(err, replication.ErrUnavailable) {
		text, err = stored()
	}
	return text, err
}
