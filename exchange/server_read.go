package exchange

import (
	"context"
	"encoding/hex"
	"fmt"

	"github.com/healthanchor/healthanchor/anchor/batchfile"
	"github.com/healthanchor/healthanchor/anchor/merkle"
)

// fill reads the records at locs (grouped by batch, in order) from the
// batch files, with their inclusion paths, into ans. It returns their
// leaf hashes in answer order. The server does not check the file
// against its manifest: the recipient checks every record against its
// own replica, which is what protects it.
func (s *Server) fill(ctx context.Context, ans *Answer, locs []Location) ([][]byte, error) {
	var out [][]byte
	for len(locs) > 0 {
		batch := locs[0].BatchID
		k := 0
		for k < len(locs) && locs[k].BatchID == batch {
			k++
		}
		ab, leaves, err := s.readBatch(ctx, batch, locs[:k])
		if err != nil {
			return nil, err
		}
		ans.Batches = append(ans.Batches, ab)
		ans.Records += len(ab.Records)
		out = append(out, leaves...)
		locs = locs[k:]
	}
	return out, nil
}

func (s *Server) readBatch(ctx context.Context, batch string, locs []Location) (AnswerBatch, [][]byte, error) {
	path, ok, err := s.Files.BatchFile(ctx, batch)
	if err != nil {
		return AnswerBatch{}, nil, err
	}
	if !ok {
		return AnswerBatch{}, nil, fmt.Errorf("exchange: batch %s: this node holds no published file", batch)
	}
	a, _, err := s.Chain.Lookup(ctx, batch)
	if err != nil {
		return AnswerBatch{}, nil, err
	}
	want := map[int64]bool{}
	for _, l := range locs {
		want[l.Row] = true
	}
	var all [][]byte
	canon := map[int64]string{}
	erased := map[int64]bool{}
	f, err := s.Files.Open(ctx, path)
	if err != nil {
		return AnswerBatch{}, nil, fmt.Errorf("exchange: batch %s: %w", batch, err)
	}
	defer f.Close()
	_, err = batchfile.ReadFrom(ctx, path, f, func(row int64, canonical []byte, lh [32]byte) error {
		if canonical == nil {
			erased[row] = true
		}
		all = append(all, append([]byte(nil), lh[:]...))
		if want[row] && canonical != nil { // an erased row is never served
			canon[row] = string(canonical)
		}
		return nil
	})
	if err != nil {
		return AnswerBatch{}, nil, fmt.Errorf("exchange: batch %s: %w", batch, err)
	}
	ab := AnswerBatch{BatchID: batch, Schema: a.Manifest.Schema, Records: make([]AnswerRecord, 0, len(locs))}
	var leaves [][]byte
	// Every level of the tree once, then each path in O(log n).
	tree := merkle.NewLevels(all)
	for _, l := range locs {
		c, ok := canon[l.Row]
		if !ok && erased[l.Row] {
			continue // erased since it was indexed: nothing to send
		}
		if !ok {
			return AnswerBatch{}, nil, fmt.Errorf("exchange: batch %s has no row %d (patient index out of date: run index rebuild)", batch, l.Row)
		}
		path, err := tree.Inclusion(uint64(l.Row))
		if err != nil {
			return AnswerBatch{}, nil, fmt.Errorf("exchange: batch %s row %d: %w", batch, l.Row, err)
		}
		ab.Records = append(ab.Records, AnswerRecord{Row: l.Row, Canonical: c, Inclusion: hexAll(path)})
		leaves = append(leaves, all[l.Row])
	}
	return ab, leaves, nil
}

func hexAll(hs [][]byte) []string {
	out := make([]string, len(hs))
	for i, h := range hs {
		out[i] = hex.EncodeToString(h)
	}
	return out
}
