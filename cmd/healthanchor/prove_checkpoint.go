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
	text, err := c.Checkpoint(cctx, cfg.Cluster.APIAddr)
	if errors.Is(err, replication.ErrUnavailable) {
		text, err = replication.StoredCheckpoint(*cfg.Cluster, cfg.Dir())
	}
	if err != nil {
		return "", fmt.Errorf("prove: checkpoint: %w", err)
	}
	if text == "" {
		return "", errors.New("prove: this node holds no checkpoint yet")
	}
	return text, nil
}
