package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"

	"github.com/healthanchor/healthanchor/anchor"
	"github.com/healthanchor/healthanchor/anchor/batchfile"
	"github.com/healthanchor/healthanchor/internal/fsutil"
)

// Target is one batch file holding records to erase.
type Target struct {
	BatchID string  `json:"batch_id"`
	File    string  `json:"file"` // anchor.FileRows or anchor.FileRejects
	Path    string  `json:"path"`
	Rows    []int64 `json:"rows"` // ascending
}

// Eraser erases records from this node's batch files (docs/lifecycle.md,
// "Erasure"). Its fields are the node's: the chain to look erasure
// entries up in, the agency whose entries count, and how to anchor one.
type Eraser struct {
	Chain  *anchor.Chain
	Agency string
	// Anchor signs and anchors an erasure entry with body, returning the
	// block that holds it.
	Anchor func(ctx context.Context, body anchor.ErasureBody) (anchor.Block, error)
	Mode   fs.FileMode // of the rewritten files
	Logger *slog.Logger
	// crash, when set, is called at each named step (tests kill the
	// process there).
	Crash func(step string)
	// Store, when set, holds the files (an object store); Target.Path is
	// then its URL for a file.
	Store FileStore
}

// EraseRequest is what to erase under which reason.
type EraseRequest struct {
	Reason  string
	Request string
	DryRun  bool // list what would be erased; anchor and rewrite nothing
}

// FileOutcome is what erasing did to one file.
type FileOutcome struct {
	Target
	Erased  int64 `json:"erased"`  // rows this run rewrote into erased form
	Already int64 `json:"already"` // rows of Rows already erased before
	Bytes   int64 `json:"bytes"`   // size of the rewritten file (0 when not rewritten)
}

// EraseOutcome is what Erase did.
type EraseOutcome struct {
	Files []FileOutcome `json:"files"`
	// Block holds the erasure entry this run anchored; 0 when every row
	// was already covered by an anchored entry (a re-run) or on a dry run.
	Block int64 `json:"block,omitempty"`
}

// Erase erases the rows of targets. The order makes a kill at any point
// safe to re-run: (1) rows that no anchored erasure entry of this agency
// covers yet are named in one new signed erasure entry, anchored before
// any file changes, so a file never lacks values without an entry; (2)
// each file is rewritten into a temporary file beside it (fsynced), then
// renamed over it and its folder fsynced, so a kill leaves the old file
// or the new one. A re-run finds the entry, anchors nothing, and
// rewrites the files still holding values. On a dry run nothing changes.
func (e Eraser) Erase(ctx context.Context, req EraseRequest, targets []Target) (EraseOutcome, error) {
	var out EraseOutcome
	if err := anchor.ValidateErasureReason(req.Reason, req.Request); err != nil {
		return out, err
	}
	all, err := e.Chain.AllErasures(ctx)
	if err != nil {
		return out, fmt.Errorf("lifecycle: erase: %w", err)
	}
	body := anchor.ErasureBody{Reason: req.Reason, Request: req.Request}
	for _, t := range targets {
		covered := e.covered(all[anchor.ErasedFile{BatchID: t.BatchID, File: t.File}])
		var rows []int64
		for _, r := range t.Rows {
			if !covered[r] {
				rows = append(rows, r)
			}
		}
		if len(rows) > 0 {
			body.Files = append(body.Files, anchor.ErasedRows{BatchID: t.BatchID, File: t.File, Rows: rows})
		}
		out.Files = append(out.Files, FileOutcome{Target: t})
	}
	if req.DryRun {
		return out, nil
	}
	if len(body.Files) > 0 {
		if err := body.Validate(); err != nil {
			return out, fmt.Errorf("lifecycle: erase: %w", err)
		}
		b, err := e.Anchor(ctx, body)
		if err != nil {
			return out, fmt.Errorf("lifecycle: erase: %w", err)
		}
		out.Block = b.Height
		e.Logger.Info("erasure entry anchored", "block", b.Height, "files", len(body.Files))
		e.crash("erase-anchored")
	}
	for i := range out.Files {
		if err := e.rewrite(ctx, &out.Files[i]); err != nil {
			return out, err
		}
	}
	return out, nil
}

// covered returns the rows of a file that the anchored erasure entries
// found for it, those of this agency, already cover.
func (e Eraser) covered(found []anchor.Erasure) map[int64]bool {
	covered := map[int64]bool{}
	for _, f := range found {
		if f.Agency == e.Agency {
			for _, r := range f.Rows {
				covered[r] = true
			}
		}
	}
	return covered
}

// TempSuffix names the temporary file a rewrite writes beside the batch
// file before renaming it over; a re-run removes a leftover one.
const TempSuffix = ".erase-tmp"

func (e Eraser) rewrite(ctx context.Context, fo *FileOutcome) error {
	if e.Store != nil && e.Store.Holds(fo.Path) {
		return e.rewriteStored(ctx, fo)
	}
	tmp := fo.Path + TempSuffix
	if err := removeStale(tmp); err != nil {
		return fmt.Errorf("lifecycle: erase: batch %s: %w", fo.BatchID, err)
	}
	res, err := batchfile.Erase(ctx, fo.Path, tmp, fo.Rows, e.Mode)
	if err != nil {
		return fmt.Errorf("lifecycle: erase: batch %s %s file: %w", fo.BatchID, fo.File, err)
	}
	fo.Erased, fo.Already = res.New, int64(len(fo.Rows))-res.New
	if res.New == 0 {
		return nil
	}
	e.crash("erase-written")
	if err := os.Rename(tmp, fo.Path); err != nil {
		return fmt.Errorf("lifecycle: erase: batch %s: %w", fo.BatchID, err)
	}
	if err := fsutil.SyncDir(filepath.Dir(fo.Path)); err != nil {
		return fmt.Errorf("lifecycle: erase: batch %s: %w", fo.BatchID, err)
	}
	fo.Bytes = res.Size
	e.Logger.Info("batch file rewritten", "batch", fo.BatchID, "file", fo.File, "erased", res.New, "bytes", res.Size)
	e.crash("erase-renamed")
	return nil
}

// removeStale removes a temporary file a killed rewrite left; none is no
// error.
func removeStale(tmp string) error {
	if err := os.Remove(tmp); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

func (e Eraser) crash(step string) {
	if e.Crash != nil {
		e.Crash(step)
	}
}

// SortTargets orders targets by batch id, then rows before rejects.
func SortTargets(ts []Target) {
	slices.SortFunc(ts, func(a, b Target) int {
		if a.BatchID != b.BatchID {
			if a.BatchID < b.BatchID {
				return -1
			}
			return 1
		}
		if a.File == b.File {
			return 0
		}
		if a.File == anchor.FileRows {
			return -1
		}
		return 1
	})
}
