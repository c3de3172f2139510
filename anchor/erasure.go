package anchor

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"unicode"
)

// ErasureBody is the body of an erasure entry (docs/format.md, "Erasure
// entry"): which rows of which batch files the signing agency erased,
// under which reason and request. It names no patient and no value; the
// time of the erasure is the entry's created_at.
type ErasureBody struct {
	Reason  string       `json:"reason"`            // a code, e.g. gdpr-art17
	Request string       `json:"request,omitempty"` // the request's reference
	Files   []ErasedRows `json:"files"`
}

// ErasedRows are the rows of one batch file an erasure entry covers.
type ErasedRows struct {
	BatchID string  `json:"batch_id"`
	File    string  `json:"file"` // FileRows or FileRejects
	Rows    []int64 `json:"rows"` // 0-based, ascending, no repeats
}

var reasonCode = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$`)

// Validate checks the body: a reason code of 1 to 64 letters, digits,
// '.', '_', ':' or '-'; a request reference of at most 200 printable
// characters; at least one file, each naming a batch, its kind and rows
// in ascending order.
func (b ErasureBody) Validate() error {
	if err := ValidateErasureReason(b.Reason, b.Request); err != nil {
		return err
	}
	if len(b.Files) == 0 {
		return fmt.Errorf("anchor: erasure: no file named")
	}
	for _, f := range b.Files {
		if f.BatchID == "" || (f.File != FileRows && f.File != FileRejects) || len(f.Rows) == 0 {
			return fmt.Errorf("anchor: erasure: file entry %+v needs a batch id, a file (rows or rejects) and rows", f)
		}
		for i, r := range f.Rows {
			if r < 0 || (i > 0 && r <= f.Rows[i-1]) {
				return fmt.Errorf("anchor: erasure: batch %s %s: rows are not ascending non-negative numbers", f.BatchID, f.File)
			}
		}
	}
	return nil
}

// ValidateErasureReason checks an erasure's reason code and request
// reference as ErasureBody.Validate does.
func ValidateErasureReason(reason, request string) error {
	if !reasonCode.MatchString(reason) {
		return fmt.Errorf("anchor: erasure: reason %q is not a code (1 to 64 letters, digits, '.', '_', ':' or '-')", reason)
	}
	if len(request) > 200 {
		return fmt.Errorf("anchor: erasure: request reference is %d bytes, at most 200", len(request))
	}
	for _, r := range request {
		if !unicode.IsPrint(r) {
			return fmt.Errorf("anchor: erasure: request reference %q holds a character that is not printable", request)
		}
	}
	return nil
}

// Erasure is one anchored erasure entry's cover of one batch file.
type Erasure struct {
	Height  int64   // block holding the entry
	EntryID string  // hex leaf hash of the entry
	Agency  string  // who signed it
	Reason  string  // the entry's reason code
	Rows    []int64 // the rows of the file it covers
	Time    string  // the entry's created_at
}

// ErasedFile names one batch file: a batch id and a file kind.
type ErasedFile struct{ BatchID, File string }

// Erasures returns, in chain order, the anchored erasure entries that
// cover rows of the kind file of batch batchID. An entry whose body does
// not decode or validate is an error naming its block.
func (c *Chain) Erasures(ctx context.Context, batchID, kind string) ([]Erasure, error) {
	all, err := c.AllErasures(ctx)
	return all[ErasedFile{batchID, kind}], err
}

// AllErasures returns every anchored erasure entry's cover, by file, in
// chain order, from one pass over the chain.
func (c *Chain) AllErasures(ctx context.Context) (map[ErasedFile][]Erasure, error) {
	entries, err := c.Entries(ctx, KindErasure)
	if err != nil {
		return nil, err
	}
	out := map[ErasedFile][]Erasure{}
	for _, e := range entries {
		var body ErasureBody
		if err := e.Entry.DecodeBody(&body); err != nil {
			return nil, fmt.Errorf("anchor: erasure entry in block %d: %w", e.Height, err)
		}
		if err := body.Validate(); err != nil {
			return nil, fmt.Errorf("anchor: erasure entry in block %d: %w", e.Height, err)
		}
		for _, f := range body.Files {
			k := ErasedFile{f.BatchID, f.File}
			out[k] = append(out[k], Erasure{Height: e.Height, EntryID: e.ID, Agency: e.Entry.Agency,
				Reason: body.Reason, Rows: slices.Clone(f.Rows), Time: e.Entry.CreatedAt})
		}
	}
	return out, nil
}
