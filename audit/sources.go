package audit

import (
	"context"
	"fmt"

	"github.com/healthanchor/healthanchor/anchor"
	"github.com/healthanchor/healthanchor/anchor/batchfile"
	"github.com/healthanchor/healthanchor/anchor/replication"
)

// Run is one run of a job, as the state DB records it.
type Run struct {
	ID           int64    `json:"id"`
	Job          string   `json:"job"`
	StartedAt    string   `json:"started_at"`
	EndedAt      string   `json:"ended_at"`
	Status       string   `json:"status"`
	RowsRead     int64    `json:"rows_read"`
	RowsWritten  int64    `json:"rows_written"`
	RowsRejected int64    `json:"rows_rejected"`
	BatchIDs     []string `json:"batch_ids"`
	Error        string   `json:"error"`
}

// Reconciles reports whether the run accounts for every row it read.
func (r Run) Reconciles() bool { return r.RowsRead == r.RowsWritten+r.RowsRejected }

// LocalFiles are the published files of a batch this node produced.
type LocalFiles struct {
	ParquetPath string // rows file; empty when not published here
	RejectsPath string // rejects file; empty when the batch has none
}

// History is the state DB's read API: the run history and where this
// node published each batch. The pipeline's state DB satisfies it through
// a small adapter wired in cmd/healthanchor. Both methods only read; they
// return what is stored when called, and honour ctx cancellation.
type History interface {
	// Runs returns every recorded run, newest first.
	Runs(ctx context.Context) ([]Run, error)
	// Published returns the files of every batch this node published,
	// by batch id. A batch produced elsewhere is absent.
	Published(ctx context.Context) (map[string]LocalFiles, error)
}

// Replica is what the replication store records about the chain:
// checkpoints with their cosignatures, and fork evidence. A single-node
// deployment has none (Sources.Replica is nil then).
type Replica interface {
	// LatestCheckpoint returns the latest checkpoint as a signed note
	// with every signature and cosignature collected; "" when none.
	LatestCheckpoint(ctx context.Context) (string, error)
	// Forks returns every recorded fork, oldest first.
	Forks(ctx context.Context) ([]replication.Fork, error)
}

// Sources are the stores the report and the explorer read.
type Sources struct {
	Chain   *anchor.Chain
	History History
	Replica Replica  // nil on a single-node deployment
	Verify  Verifier // re-checks the chain and files; Chain when nil
	// Open opens a held file by its path or object URL (a bucket's);
	// batchfile.OpenLocal when nil.
	Open batchfile.Opener
}

// readRejects reads the rejects file at path, opened by s.Open.
func (s Sources) readRejects(ctx context.Context, path string, fn func(batchfile.Reject) error) error {
	if s.Open == nil {
		return batchfile.ReadRejects(ctx, path, fn)
	}
	f, err := s.Open(ctx, path)
	if err != nil {
		return fmt.Errorf("batchfile: rejects %s: %w", path, err)
	}
	defer f.Close()
	return batchfile.ReadRejectsFrom(ctx, path, f, fn)
}

func (s Sources) verifier() Verifier {
	if s.Verify != nil {
		return s.Verify
	}
	return s.Chain
}
