package audit

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/healthanchor/healthanchor/anchor/replication"
)

// Period is the dates a report covers, YYYY-MM-DD in UTC, both included;
// an empty bound is open.
type Period struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// Contains reports whether the RFC 3339 time ts falls on a day of p.
func (p Period) Contains(ts string) bool {
	if len(ts) < 10 {
		return false
	}
	d := ts[:10]
	return (p.From == "" || d >= p.From) && (p.To == "" || d <= p.To)
}

// Report is the audit report of a period; docs/audit.md documents its
// JSON form field by field.
type Report struct {
	Version     int           `json:"version"`
	GeneratedAt string        `json:"generated_at"`
	ChainID     string        `json:"chain_id"`
	Period      Period        `json:"period"`
	Jobs        []JobSummary  `json:"jobs"`
	Runs        []RunLine     `json:"runs"`
	Reasons     []ReasonCount `json:"reject_reasons"`
	Batches     []BatchLine   `json:"batches"`
	Verified    Verification  `json:"verification"`
	Forks       Forks         `json:"forks"`
	Checkpoint  Checkpoint    `json:"checkpoint"`
	Disclosures Disclosures   `json:"disclosures"`
	Nights      []Night       `json:"nights"`
}

// ReportVersion is the version of the report's JSON shape.
const ReportVersion = 1

// JobSummary adds up one job's runs of the period.
type JobSummary struct {
	Job          string `json:"job"`
	Runs         int    `json:"runs"`
	RowsRead     int64  `json:"rows_read"`
	RowsWritten  int64  `json:"rows_written"`
	RowsRejected int64  `json:"rows_rejected"`
	Unreconciled int    `json:"unreconciled_runs"`
}

// RunLine is one run with whether read = written + rejected holds.
type RunLine struct {
	Run
	Reconciles bool `json:"reconciles"`
}

// ReasonCount is how many rejects of the period share a (redacted) reason.
type ReasonCount struct {
	Reason string `json:"reason"`
	Count  int64  `json:"count"`
}

// BatchLine is one batch anchored in the period.
type BatchLine struct {
	BatchID     string `json:"batch_id"`
	Job         string `json:"job"`
	Agency      string `json:"agency"`
	Schema      string `json:"schema"`
	Rows        int64  `json:"rows"`
	Rejects     int64  `json:"rejects"`
	MerkleRoot  string `json:"merkle_root"`
	RejectsRoot string `json:"rejects_root"`
	CreatedAt   string `json:"created_at"`
	BlockHeight int64  `json:"block_height"`
	BlockHash   string `json:"block_hash"`
	BlockTime   string `json:"block_time"`
	LogIndex    int64  `json:"log_index"`
	// CheckpointSize is the log size of the latest checkpoint when it
	// covers this batch (log_index < log_size), 0 when none does yet.
	CheckpointSize int64  `json:"checkpoint_log_size"`
	ParquetPath    string `json:"parquet_path"`
	RejectsPath    string `json:"rejects_path"`
}

// Verification is the result of re-checking the chain and every batch
// file of the period held on this node, at report time.
type Verification struct {
	OK       bool     `json:"ok"`
	Checks   []Check  `json:"checks"`
	NotHeld  []string `json:"not_held"` // batch ids of the period whose files are not on this node
	Verified int      `json:"files_verified"`
}

// Forks is the fork evidence the replication store holds.
type Forks struct {
	Note     string             `json:"note"`
	Evidence []replication.Fork `json:"evidence"`
}

// Disclosures lists records disclosed to other agencies in the period.
type Disclosures struct {
	Note    string `json:"note"`
	Entries []any  `json:"entries"`
}

// Build gathers the report of period p from the sources. It fails only
// when a store cannot be read; failed re-verifications are in
// Report.Verified.
func Build(ctx context.Context, src Sources, p Period) (*Report, error) {
	r := &Report{Version: ReportVersion, GeneratedAt: time.Now().UTC().Format(time.RFC3339), ChainID: src.Chain.ChainID(), Period: p,
		Disclosures: Disclosures{Note: "none recorded", Entries: []any{}}}
	runs, err := src.History.Runs(ctx)
	if err != nil {
		return nil, fmt.Errorf("audit: runs: %w", err)
	}
	r.addRuns(runs)
	if r.Checkpoint, err = latestCheckpoint(ctx, src.Chain, src.Replica); err != nil {
		return nil, err
	}
	if err := r.addBatches(ctx, src); err != nil {
		return nil, err
	}
	if err := r.addRejectReasons(ctx, src); err != nil {
		return nil, err
	}
	r.verify(ctx, src.verifier())
	if r.Forks, err = forks(ctx, src.Replica); err != nil {
		return nil, err
	}
	return r, nil
}

// addRuns keeps the period's runs, oldest first, with per-job totals and
// the nightly figures of the chart.
func (r *Report) addRuns(runs []Run) {
	r.Runs, r.Jobs, r.Nights = []RunLine{}, []JobSummary{}, []Night{}
	jobs := map[string]*JobSummary{}
	for i := len(runs) - 1; i >= 0; i-- {
		run := runs[i]
		if !r.Period.Contains(run.StartedAt) {
			continue
		}
		line := RunLine{Run: run, Reconciles: run.Reconciles()}
		r.Runs = append(r.Runs, line)
		j := jobs[run.Job]
		if j == nil {
			j = &JobSummary{Job: run.Job}
			jobs[run.Job] = j
		}
		j.Runs++
		j.RowsRead += run.RowsRead
		j.RowsWritten += run.RowsWritten
		j.RowsRejected += run.RowsRejected
		if !line.Reconciles {
			j.Unreconciled++
		}
	}
	for _, j := range jobs {
		r.Jobs = append(r.Jobs, *j)
	}
	sort.Slice(r.Jobs, func(a, b int) bool { return r.Jobs[a].Job < r.Jobs[b].Job })
	r.Nights = nights(r.Runs)
}

// Unreconciled counts the period's runs where read != written + rejected.
func (r *Report) Unreconciled() int {
	n := 0
	for _, j := range r.Jobs {
		n += j.Unreconciled
	}
	return n
}

func forks(ctx context.Context, rep Replica) (Forks, error) {
	if rep == nil {
		return Forks{Note: "single-node deployment: no other node's checkpoints to compare with, so no fork can be recorded", Evidence: []replication.Fork{}}, nil
	}
	ev, err := rep.Forks(ctx)
	if err != nil {
		return Forks{}, fmt.Errorf("audit: fork evidence: %w", err)
	}
	f := Forks{Note: "none recorded", Evidence: ev}
	if f.Evidence == nil {
		f.Evidence = []replication.Fork{}
	}
	if len(ev) > 0 {
		f.Note = fmt.Sprintf("%d validly signed checkpoint(s) disagree with this chain", len(ev))
	}
	return f, nil
}
