package pipeline

import (
	"context"

	"github.com/healthanchor/healthanchor/anchor/batchfile"
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
		Patients: nodeIndex{n}, Files: nodeFiles{n}, Anchorer: rn, Log: nodeDisclosures{n},
		Logger: n.Logger.With("component", "exchange"), Now: n.now,
	})
}

// nodeIndex reads the node's patient index for the exchange server.
type nodeIndex struct{ n *Node }

func (x nodeIndex) Lookup(ctx context.Context, patient string) ([]exchange.Location, error) {
	locs, err := x.n.lookupPatient(ctx, patient)
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

// Open opens a file BatchFile returned (OpenPublished).
func (f nodeFiles) Open(ctx context.Context, path string) (batchfile.File, error) {
	return f.n.OpenPublished(ctx, path)
}

// nodeDisclosures records in the state DB which rows each disclosure
// sent.
type nodeDisclosures struct{ n *Node }

func (d nodeDisclosures) RecordDisclosure(ctx context.Context, id string, locs []exchange.Location) error {
	rows := make([]BatchRow, len(locs))
	for i, l := range locs {
		rows[i] = BatchRow{BatchID: l.BatchID, Row: l.Row}
	}
	return d.n.State.RecordDisclosure(ctx, id, rows)
}

// PatientDisclosures returns the ids of the disclosures this node
// anchored that sent at least one of patient's records (the patient
// index's rows of that patient, matched against the rows each disclosure
// sent).
func (n *Node) PatientDisclosures(ctx context.Context, patient string) (map[string]bool, error) {
	locs, err := n.lookupPatient(ctx, patient)
	if err != nil {
		return nil, err
	}
	rows := make([]BatchRow, len(locs))
	for i, l := range locs {
		rows[i] = BatchRow{BatchID: l.BatchID, Row: l.Row}
	}
	return n.State.DisclosuresOf(ctx, rows)
}

// lookupPatient finds patient's records in the patient index, indexing
// first any published batch it lacks. When that fails (a batch file
// unreadable here), the failure is logged and the lookup answers from
// what the index holds.
func (n *Node) lookupPatient(ctx context.Context, patient string) ([]patientindex.Location, error) {
	ix, err := n.openIndexCurrent(ctx)
	if err != nil {
		n.Logger.Error("patient index may lack published batches: run `healthanchor index rebuild`", "err", err)
		if ix, err = n.openIndex(); err != nil {
			return nil, err
		}
	}
	defer ix.Close()
	return ix.Lookup(ctx, patient)
}
