package lifecycle

import (
	"fmt"
	"time"

	"github.com/healthanchor/healthanchor/anchor"
)

// RetentionEntry is the body of a retention entry (anchor.KindRetention):
// the statement, signed by the producing agency, that a batch's files
// were removed because its retention ended. The batch's manifest stays
// on the chain; the entry is what lets `verify batch` tell a file removed
// under retention from one lost or deleted by hand. docs/format.md
// documents it.
type RetentionEntry struct {
	BatchID string `json:"batch_id"`
	Job     string `json:"job"`
	// Retention is the job's period when the files were removed ("10y").
	Retention string `json:"retention"`
	// AnchoredAt is the time of the block holding the batch's manifest
	// (RFC 3339, UTC), which the period is counted from; BatchHeight is
	// that block's height.
	AnchoredAt  string `json:"anchored_at"`
	BatchHeight int64  `json:"batch_height"`
	// Files names the files removed: "rows", and "rejects" when the
	// batch has a rejects file (anchor.FileRows, anchor.FileRejects).
	Files []string `json:"files"`
}

// NewRetentionEntry is the entry for removing batchID's files (kinds, in
// order) under period, for a batch whose manifest is in block
// batchHeight, anchored at anchoredAt.
func NewRetentionEntry(batchID, job string, period RetentionPeriod, anchoredAt time.Time, batchHeight int64, files []string) RetentionEntry {
	return RetentionEntry{BatchID: batchID, Job: job, Retention: period.String(),
		AnchoredAt: anchoredAt.UTC().Format(time.RFC3339), BatchHeight: batchHeight, Files: files}
}

// RetentionOf reads a retention entry's body. The entry must be of kind
// retention.
func RetentionOf(e anchor.Entry) (RetentionEntry, error) {
	var r RetentionEntry
	if e.Kind != anchor.KindRetention {
		return r, fmt.Errorf("lifecycle: %s entry is not a retention entry", e.Kind)
	}
	if err := e.DecodeBody(&r); err != nil {
		return r, fmt.Errorf("lifecycle: %w", err)
	}
	return r, nil
}

// Names says whether the entry names the file of that kind.
func (r RetentionEntry) Names(kind string) bool {
	for _, f := range r.Files {
		if f == kind {
			return true
		}
	}
	return false
}
