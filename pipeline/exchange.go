package pipeline

import (
	"context"

	"github.com/healthanchor/healthanchor/anchor/replication"
	"github.com/healthanchor/healthanchor/exchange"
	"github.com/healthanchor/healthanchor/pipeline/patientindex"
)

// mountExchange serves fetches from other members on the replica's peer
// API (docs/exchange.md), by the grants of the config's sharing section
// (none: every fetch is refused).
func (n *Node) mountExchange(rn *replication.Node) {
	rn.HandleExchange(&exchange.Server{
		Agency: n.Config.Agency.ID, Key: n.signingKey, Chain: n.Chain, Sharing: n.Config.Sharing,
		Patients: nodeIndex{n}, Files: nodeFiles{n}, Anchorer: rn,
		Logger: n.Logger.With("component", "exchange"), Now: n.now,
	})
}

// nodeIndex reads the node's patient index for the exchange server.
type nodeIndex struct{ n *Node }

func (x nodeIndex) Lookup(ctx context.Context, patient string) ([]exchange.Location, error) {
	ix, err := patientindex.Open(x.n.IndexPath())
	if err != nil {
		return nil, err
	}
	defer ix.Close()
	locs, err := ix.Lookup(ctx, patient)
	out := make([]exchange.Location, len(locs))
	for i, l := range locs {
		out[i] = exchange.Location{BatchID: l.BatchID, Row: l.Row}
	}
	return out, err
}

// nodeFiles finds the node's published batch files for the server.
type nodeFiles struct{ n *Node }

func (f nodeFiles) BatchFile(ctx context.Context, batch string) (string, bool, error) {
	local, err := f.n.State.LocalBatches(ctx)
	if err != nil {
		return "", false, err
	}
	lb, ok := local[batch]
	if !ok || lb.Status != BatchPublished {
		return "", false, nil
	}
	return lb.ParquetPath, true, nil
}
