package audit

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/healthanchor/healthanchor/anchor/batchfile"
)

// RejectRow is one row of a rejects file (schema reject/1). Raw holds the
// input bytes as lower-case hex, exactly as the file's canonical record
// has them: it is patient data, shown only when the operator allows it.
type RejectRow struct {
	Row          int64  `json:"row"`
	Source       string `json:"source"`
	SourceRef    string `json:"source_ref"`
	TargetSchema string `json:"target_schema"`
	Reason       string `json:"reason"`
	Raw          string `json:"-"`
}

// readRejects reads every row of the rejects file at path, through the
// batch file reader (each row's canonical record, all values strings).
func readRejects(ctx context.Context, path string) ([]RejectRow, error) {
	var out []RejectRow
	_, err := batchfile.Read(ctx, path, func(row int64, canonical []byte, _ [32]byte) error {
		var rec map[string]*string
		if err := json.Unmarshal(canonical, &rec); err != nil {
			return fmt.Errorf("row %d: %w", row, err)
		}
		get := func(k string) string {
			if v := rec[k]; v != nil {
				return *v
			}
			return ""
		}
		out = append(out, RejectRow{Row: row, Source: get("source"), SourceRef: get("source_ref"),
			TargetSchema: get("target_schema"), Reason: get("reason"), Raw: get("raw")})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("audit: rejects %s: %w", path, err)
	}
	return out, nil
}
