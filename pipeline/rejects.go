package pipeline

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
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
	Raw          []byte `json:"-"` // the input bytes; may hold patient data
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
		path := n.Config.Path(b.RejectsPath)
		_, err := batchfile.Read(ctx, path, func(row int64, canonical []byte, _ [32]byte) error {
			var cols map[string]*string
			if err := json.Unmarshal(canonical, &cols); err != nil {
				return fmt.Errorf("row %d: %w", row, err)
			}
			r := RejectRecord{BatchID: b.BatchID, Job: b.Job, Row: row,
				SourceRef: deref(cols["source_ref"]), TargetSchema: deref(cols["target_schema"]), Reason: deref(cols["reason"])}
			if f.Reason != "" && !strings.Contains(r.Reason, f.Reason) {
				return nil
			}
			if raw := deref(cols["raw"]); raw != "" {
				if r.Raw, err = hex.DecodeString(raw); err != nil {
					return fmt.Errorf("row %d: raw: %w", row, err)
				}
			}
			return fn(r)
		})
		if err != nil {
			return fmt.Errorf("pipeline: rejects of batch %s (%s): %w", b.BatchID, path, err)
		}
	}
	return nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// quoted matches a Go-quoted string in a reason: the value at fault.
var quoted = regexp.MustCompile(`"(?:[^"\\]|\\.)*"`)

// ReasonKind is reason without its FILE:LINE prefix and with the values it
// quotes masked, so that rejects for the same fault count together and no
// field value is shown; quoted names of columns and headers stay.
func ReasonKind(sourceRef, reason string) string {
	if rest, ok := strings.CutPrefix(reason, sourceRef); ok && sourceRef != "" {
		reason = strings.TrimLeft(strings.TrimPrefix(rest, ":"), " ")
	}
	var b strings.Builder
	last := 0
	for _, m := range quoted.FindAllStringIndex(reason, -1) {
		before := reason[:m[0]]
		b.WriteString(reason[last:m[0]])
		if strings.HasSuffix(before, "column ") || strings.HasSuffix(before, "header ") {
			b.WriteString(reason[m[0]:m[1]])
		} else {
			b.WriteString(`"…"`)
		}
		last = m[1]
	}
	b.WriteString(reason[last:])
	return b.String()
}
