package anchor

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/healthanchor/healthanchor/anchor/batchfile"
)

// ErasureReport is what verifying a file established about its erased
// rows.
type ErasureReport struct {
	Erased  int64         `json:"erased_rows"`            // rows in erased form
	Entries []ErasureUsed `json:"entries"`                // the entries covering them, in chain order
	Pending []int64       `json:"pending_rows,omitempty"` // rows an entry covers that still hold values
}

// ErasureUsed is one erasure entry covering rows of a file.
type ErasureUsed struct {
	Block   int64  `json:"block"`
	EntryID string `json:"entry_id"`
	Reason  string `json:"reason"`
	Rows    int    `json:"rows"` // erased rows of the file it covers
}

// String is the report as verify batch prints it.
func (r ErasureReport) String() string {
	var parts []string
	for _, e := range r.Entries {
		parts = append(parts, fmt.Sprintf("%d %s erased by the entry in block %d", e.Rows, plural(e.Rows, "row", "rows"), e.Block))
	}
	s := strings.Join(parts, ", ")
	if len(r.Pending) > 0 {
		if s != "" {
			s += "; "
		}
		s += fmt.Sprintf("%d %s that an erasure entry covers still hold values (run erase again to finish)", len(r.Pending), plural(len(r.Pending), "row", "rows"))
	}
	return s
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// checkErasures accounts for the file's erased rows: every one must be
// covered by an anchored erasure entry of the batch's own agency naming
// this batch, file kind and row. An erased row no entry covers is
// tampering (a problem); rows an entry covers that still hold values are
// an erasure left unfinished (reported, not a problem: re-running erase
// finishes it).
func (c *Chain) checkErasures(ctx context.Context, rep *BatchReport, sc batchfile.Scan, agency, where string) ([]string, error) {
	if len(sc.Erased) == 0 && !c.hasEntryKind(ctx, KindErasure) {
		return nil, nil
	}
	found, err := c.Erasures(ctx, rep.BatchID, rep.Kind)
	if err != nil {
		return nil, err
	}
	var problems []string
	erased := map[int64]bool{}
	for _, r := range sc.Erased {
		erased[r] = true
	}
	covered := map[int64]bool{}
	er := &ErasureReport{Erased: int64(len(sc.Erased))}
	for _, e := range found {
		if e.Agency != agency {
			continue // only the batch's own agency erases its rows
		}
		used := ErasureUsed{Block: e.Height, EntryID: e.EntryID, Reason: e.Reason}
		for _, r := range e.Rows {
			if covered[r] {
				continue
			}
			covered[r] = true
			if erased[r] {
				used.Rows++
			} else if r < sc.Rows {
				er.Pending = append(er.Pending, r)
			}
		}
		if used.Rows > 0 {
			er.Entries = append(er.Entries, used)
		}
	}
	var bare []int64
	for _, r := range sc.Erased {
		if !covered[r] {
			bare = append(bare, r)
		}
	}
	if len(bare) > 0 {
		problems = append(problems, fmt.Sprintf("%s: %d %s (%s) lost their values with no anchored erasure entry covering them: tampering",
			where, len(bare), plural(len(bare), "row", "rows"), rowList(bare)))
	}
	slices.Sort(er.Pending)
	if er.Erased > 0 || len(er.Pending) > 0 {
		rep.Erasure = er
	}
	return problems, nil
}

// rowList names up to ten rows.
func rowList(rows []int64) string {
	var b strings.Builder
	for i, r := range rows {
		if i == 10 {
			fmt.Fprintf(&b, " and %d more", len(rows)-10)
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "row %d", r)
	}
	return b.String()
}

// hasEntryKind says whether any anchored entry is of kind.
func (c *Chain) hasEntryKind(ctx context.Context, kind string) bool {
	if !c.hasTable(ctx, "entries") {
		return false
	}
	var n int
	err := c.conn().QueryRowContext(ctx, `SELECT COUNT(*) FROM entries WHERE kind = ?`, kind).Scan(&n)
	return err != nil || n > 0
}
