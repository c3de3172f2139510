package main

import (
	"context"
	"fmt"

	"github.com/healthanchor/healthanchor/pipeline"
)

// joinCluster makes a command that anchors (run, erase, retention apply,
// chain timestamp) anchor through the cluster when the config has one,
// as serve does, instead of appending to the local replica alone, which
// would fork it from the others. It returns what to call when the
// command is done. A node whose serve is running holds the ports the
// join needs: the command then fails and says so.
func joinCluster(ctx context.Context, n *pipeline.Node, command string) (func(), error) {
	rn, err := n.Replicate(ctx)
	if err != nil {
		return nil, fmt.Errorf("%s: joining the cluster (is serve running for this config? it holds the node's ports): %w", command, err)
	}
	if rn == nil {
		return func() {}, nil
	}
	return func() { rn.Close() }, nil
}
