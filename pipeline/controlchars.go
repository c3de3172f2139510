package pipeline

import (
	"fmt"

	"github.com/healthanchor/healthanchor/connectors"
	"github.com/healthanchor/healthanchor/schemas"
)

// The values of a job's control_chars key: what becomes of a text value
// holding a C0 control character other than tab, LF and CR (a NUL byte,
// an escape), whichever connector read it.
const (
	// ControlReject rejects the row, naming the column (the default).
	ControlReject = "reject"
	// ControlStrip removes the control characters and keeps the row.
	ControlStrip = "strip"
)

// CheckControlChars applies a job's control_chars rule (ControlReject when
// empty) to a row record, as run does: preview shows the same rejects.
func CheckControlChars(rule string, r connectors.Record) error { return controlChars(rule, r) }

// controlChars applies the job's control_chars rule to a row record: it
// returns an error naming the row and column under the reject rule, and
// strips the row's text values in place under the strip rule. Every row
// of every connector passes here before it is written.
func controlChars(rule string, r connectors.Record) error {
	col, at := r.Schema.ControlChar(r.Row)
	if col < 0 {
		return nil
	}
	if rule == ControlStrip {
		for ; col >= 0; col, _ = r.Schema.ControlChar(r.Row) {
			r.Row[col] = schemas.TextValue(schemas.StripControl(r.Row[col].Str))
		}
		return nil
	}
	return fmt.Errorf("%s: %s: control character U+%04X at byte %d (set the job's control_chars: strip to remove such characters)",
		r.SourceRef, r.Schema.Fields[col].Name, r.Row[col].Str[at], at)
}
