package pipeline

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/healthanchor/healthanchor/anchor/batchfile"
)

// RejectRecord is one rejected input of a published batch, as its rejects
// file keeps it.
type RejectRecord struct {
	BatchID      string `json:"batch_id"`
	Job          string `json:"job"`
	Row          int64  `json:"row"` // 0-based row of the rejects file
	SourceRef    string `json:"source_ref"`
	TargetSchema string `json:"target_schema,omitempty"`
	Reason       string `json:"reason"`
	Raw          []byte `json:"-"`                // the input bytes; may hold patient data
	Erased       bool   `json:"erased,omitempty"` // erased: only the row is left
}

// RejectFilter selects rejects: empty fields select everything.
type RejectFilter struct {
	Job     string
	BatchID string
	Reason  string // a substring of the reason
}

// ReadRejects calls fn for every reject of this node's published batches
// that f selects, batch by batch in batch id order, rows in file order.
func (n *Node) ReadRejects(ctx context.Context, f RejectFilter, fn func(RejectRecord) error) error {
	local, err := n.State.LocalBatches(ctx)
	if err != nil {
		return err
	}
	var list []LocalBatch
	for _, b := range local {
		if b.Status != BatchPublished || b.RejectsPath == "" {
			continue
		}
		if (f.Job != "" && b.Job != f.Job) || (f.BatchID != "" && b.BatchID != f.BatchID) {
			continue
		}
		list = append(list, b)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].BatchID < list[j].BatchID })
	for _, b := range list {
		err := n.ReadPublishedRejects(ctx, b.RejectsPath, func(rj batchfile.Reject) error {
			if rj.Erased {
				rj.Reason = "erased"
			}
			if f.Reason != "" && !strings.Contains(rj.Reason, f.Reason) {
				return nil
			}
			return fn(RejectRecord{BatchID: b.BatchID, Job: b.Job, Row: rj.Row, SourceRef: rj.SourceRef,
				TargetSchema: rj.TargetSchema, Reason: rj.Reason, Raw: rj.Raw, Erased: rj.Erased})
		})
		if err != nil {
			return fmt.Errorf("pipeline: rejects of batch %s: %w", b.BatchID, err)
		}
	}
	return nil
}
