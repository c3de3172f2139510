package pipeline

import (
	"context"

	"github.com/healthanchor/healthanchor/anchor/replication"
)

// Replicate joins the node to its consortium when the config has a
// cluster section: it starts the replica (Raft over mutual TLS, the peer
// API, checkpoints) and anchors through it from then on. It returns nil
// for a single-node chain. The caller closes the replica after its last
// run and before closing the node.
func (n *Node) Replicate(ctx context.Context) (*replication.Node, error) {
	if n.Config.Cluster == nil {
		return nil, nil
	}
	rn, err := replication.Start(ctx, *n.Config.Cluster, n.Config.Dir(), n.Chain, n.Config.Agency.ID, n.signingKey, n.Logger)
	if err != nil {
		return nil, err
	}
	n.Anchorer = rn
	n.mountExchange(rn)
	return rn, nil
}
