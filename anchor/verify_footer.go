package anchor

import (
	"context"
	"fmt"

	"github.com/healthanchor/healthanchor/anchor/batchfile"
)

// CheckFooter is a first, cheap look at a batch file far away (an object
// in a bucket): it compares the file's size and what its footer claims
// (batch id, Merkle root, rows), read by ranges, with the batch's anchored
// manifest, without reading the rows (a file rewritten by erasure may
// have another size). A Mismatch names what differs, as
// VerifyBatchFrom would; nil says only that nothing differs so far, and
// VerifyBatchFrom must still check the file.
func (c *Chain) CheckFooter(ctx context.Context, name string, src batchfile.Source, size int64, batchID, kind string) error {
	where := fmt.Sprintf("batch %s %s file %s", batchID, kind, name)
	a, ok, err := c.Lookup(ctx, batchID)
	if err != nil {
		return err
	}
	if !ok {
		return &Mismatch{Problems: []string{where + ": the batch is not on the chain"}}
	}
	m := a.Manifest
	wantSize, wantRoot, wantRows := m.ParquetSize, m.MerkleRoot, m.Rows
	if kind == FileRejects {
		wantSize, wantRoot, wantRows = m.RejectsSize, m.RejectsRoot, m.Rejects
	}
	// A file rewritten by erasure has another size: when an anchored
	// erasure entry covers it, and its footer says it was rewritten, its
	// rows, root and erasure entries are checked in full instead.
	sizeDiffers := &Mismatch{Problems: []string{fmt.Sprintf("%s: size: file has %d, anchor has %d", where, size, wantSize)}}
	if size != wantSize {
		erasures, err := c.Erasures(ctx, batchID, kind)
		if err != nil {
			return err
		}
		if len(erasures) == 0 {
			return sizeDiffers
		}
	}
	meta, err := batchfile.ReadFooter(name, src)
	if err != nil {
		if size != wantSize {
			return sizeDiffers
		}
		return &Mismatch{Problems: []string{fmt.Sprintf("%s does not decode as a batch file: %v", where, err)}}
	}
	if _, erased := meta[batchfile.MetaErasedRows]; size != wantSize && !erased {
		return sizeDiffers
	}
	var problems []string
	claims := func(what, claimed, anchored string) {
		if claimed != anchored {
			problems = append(problems, fmt.Sprintf("%s: footer %s: the footer says %s, anchor has %s", where, what, claimed, anchored))
		}
	}
	claims("batch id", meta[batchfile.MetaBatchID], batchID)
	claims("merkle root", meta[batchfile.MetaMerkleRoot], wantRoot)
	claims("rows", meta[batchfile.MetaRows], fmt.Sprint(wantRows))
	if len(problems) > 0 {
		return &Mismatch{Problems: problems}
	}
	return nil
}
