package lifecycle

import (
	"context"
	"fmt"
	"time"

	"github.com/healthanchor/healthanchor/anchor"
)

// ChainReader is what the FHIR export reads of the chain; *anchor.Chain
// satisfies it. Each method only reads and honours ctx.
type ChainReader interface {
	// ChainID is the chain's id from its genesis.
	ChainID() string
	// Manifests returns every anchored manifest in log order.
	Manifests(ctx context.Context) ([]anchor.Anchored, error)
	// Block returns the block at height.
	Block(ctx context.Context, height int64) (anchor.Block, error)
	// Entries returns the anchored entries of kind in log order.
	Entries(ctx context.Context, kind string) ([]anchor.AnchoredEntry, error)
}

// Run is one job run of the producer's run history (the state DB's runs
// table), as the export maps it to an anchoring AuditEvent.
type Run struct {
	ID           int64
	Job          string
	StartedAt    string // RFC 3339
	EndedAt      string // RFC 3339; empty while running (not exported then)
	Status       string // ok, nothing-new, failed
	RowsRead     int64
	RowsWritten  int64
	RowsRejected int64
	BatchIDs     []string
	Error        string
}

// Verification is one re-verification of the chain or of a batch file,
// as the audit package makes them, mapped to a verification AuditEvent.
type Verification struct {
	At       time.Time // when it was made
	BatchID  string    // the batch whose file was checked; "" for the chain
	File     string    // the file checked (its base name); "" for the chain
	OK       bool
	Problems []string // what differs, or why it could not be checked
}

// Agency is the producing agency that runs the export.
type Agency struct {
	ID   string // its id in the genesis
	Name string // a display name; may be empty
}

// FHIRExport is what one `export fhir` writes: the chain's batches
// anchored in [From, To] (UTC days, both included, "" open), and the run
// history (oldest first) and re-verifications handed in.
type FHIRExport struct {
	Chain         ChainReader
	Agency        Agency
	From, To      string // YYYY-MM-DD
	Runs          []Run
	Verifications []Verification
	// Now is the export's transaction time; time.Now when zero.
	Now time.Time
	// Request is the command line, written as the manifest's request.
	Request string
}

// inPeriod reports whether the RFC 3339 time ts falls on a day of e's
// period.
func (e *FHIRExport) inPeriod(ts string) bool {
	if len(ts) < 10 {
		return false
	}
	d := ts[:10]
	return (e.From == "" || d >= e.From) && (e.To == "" || d <= e.To)
}

// batches returns the anchored batches of the period with their blocks,
// in log order.
func (e *FHIRExport) batches(ctx context.Context) ([]anchoredBatch, error) {
	all, err := e.Chain.Manifests(ctx)
	if err != nil {
		return nil, fmt.Errorf("lifecycle: export: manifests: %w", err)
	}
	blocks := map[int64]anchor.Block{}
	var out []anchoredBatch
	for _, a := range all {
		b, ok := blocks[a.Height]
		if !ok {
			if b, err = e.Chain.Block(ctx, a.Height); err != nil {
				return nil, fmt.Errorf("lifecycle: export: block %d: %w", a.Height, err)
			}
			blocks[a.Height] = b
		}
		if e.inPeriod(b.Time) {
			out = append(out, anchoredBatch{Anchored: a, Block: b})
		}
	}
	return out, nil
}

// anchoredBatch is a manifest with the block that holds it.
type anchoredBatch struct {
	anchor.Anchored
	Block anchor.Block
}
