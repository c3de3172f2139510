package exchange

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/healthanchor/healthanchor/anchor"
	"github.com/healthanchor/healthanchor/anchor/batchfile"
	"github.com/healthanchor/healthanchor/anchor/merkle"
)

// serveBatch answers POST BatchPath: the whole rows file of a batch,
// byte for byte as stored, after the grant is checked and the disclosure
// anchored; the BatchAnswer goes in AnswerHeader. The recipient checks
// the file against its own replica (root, rows, digest, erasures); the
// source does not re-encode or re-check it.
func (s *Server) serveBatch(ctx context.Context, w http.ResponseWriter, caller string, req Request, raw []byte, log *slog.Logger) {
	if req.BatchID == "" || req.PatientID != "" || req.Offset != 0 || req.Limit != 0 {
		fail(w, log, req, fmt.Errorf("%w: a whole-batch request has batch_id and purpose only", errBadRequest))
		return
	}
	f, ans, err := s.openBatch(ctx, caller, req, raw, log)
	if err != nil {
		fail(w, log, req, err)
		return
	}
	defer f.Close()
	hdr, err := json.Marshal(ans)
	if err != nil {
		fail(w, log, req, err)
		return
	}
	w.Header().Set(AnswerHeader, string(hdr))
	w.Header().Set("Content-Type", "application/vnd.apache.parquet")
	w.Header().Set("Content-Length", strconv.FormatInt(ans.Size, 10))
	w.WriteHeader(http.StatusOK)
	if n, err := io.CopyN(w, f, ans.Size); err != nil {
		// The recipient sees a short body and fails; its receipt never comes.
		log.Warn("batch transfer cut", "batch", ans.BatchID, "sent", n, "size", ans.Size, "err", err)
	}
}

// openBatch checks the request and the grant, opens the batch's rows
// file, anchors the disclosure of its kept rows and returns the file
// (for the caller to send and close) with the answer's description.
func (s *Server) openBatch(ctx context.Context, caller string, req Request, raw []byte, log *slog.Logger) (batchfile.File, BatchAnswer, error) {
	d, err := s.authorize(caller, req, log)
	if err != nil {
		return nil, BatchAnswer{}, err
	}
	a, err := s.grantedBatch(ctx, req.BatchID, d)
	if err != nil {
		return nil, BatchAnswer{}, err
	}
	path, ok, err := s.Files.BatchFile(ctx, req.BatchID)
	if err != nil {
		return nil, BatchAnswer{}, err
	}
	if !ok {
		return nil, BatchAnswer{}, fmt.Errorf("exchange: batch %s: this node holds no published file", req.BatchID)
	}
	records, root, err := s.keptRows(ctx, a.Manifest, path)
	if err != nil {
		return nil, BatchAnswer{}, err
	}
	f, err := s.Files.Open(ctx, path)
	if err != nil {
		return nil, BatchAnswer{}, fmt.Errorf("exchange: batch %s: %w", req.BatchID, err)
	}
	ans := BatchAnswer{Discloser: s.Agency, Recipient: caller, Purpose: req.Purpose, BreakGlass: d.BreakGlass,
		BatchID: req.BatchID, Schema: a.Manifest.Schema, Records: records, RecordsRoot: root, Size: f.Size()}
	if records > 0 {
		body := Disclosure{Recipient: caller, Purpose: req.Purpose, BreakGlass: d.BreakGlass, Records: records,
			RecordsRoot: root, Batches: []string{req.BatchID}}
		if ans.Disclosure, err = s.disclose(ctx, body, raw, []Location{{BatchID: req.BatchID, Row: WholeBatch}}); err != nil {
			f.Close()
			return nil, BatchAnswer{}, err
		}
	}
	log.Info("batch disclosed", "purpose", req.Purpose, "batch", req.BatchID, "records", records, "bytes", ans.Size, "disclosure", ans.Disclosure)
	return f, ans, nil
}

// keptRows returns how many rows of the batch keep their values (the
// records a whole-batch answer discloses) and the root over their leaf
// hashes. With no erasure of the batch anchored these are every row and
// the manifest's root, so the file is not read; otherwise it is read
// once, and a row an anchored erasure covers that still holds its values
// (an erasure left unfinished) refuses the whole answer: it must never
// be sent.
func (s *Server) keptRows(ctx context.Context, m anchor.Manifest, path string) (int64, string, error) {
	erasures, err := s.Chain.Erasures(ctx, m.BatchID, anchor.FileRows)
	if err != nil {
		return 0, "", err
	}
	covered := map[int64]bool{}
	for _, e := range erasures {
		if e.Agency == s.Agency {
			for _, r := range e.Rows {
				covered[r] = true
			}
		}
	}
	if len(covered) == 0 {
		return m.Rows, m.MerkleRoot, nil
	}
	f, err := s.Files.Open(ctx, path)
	if err != nil {
		return 0, "", fmt.Errorf("exchange: batch %s: %w", m.BatchID, err)
	}
	defer f.Close()
	tree := merkle.New()
	_, err = batchfile.ReadFrom(ctx, path, f, func(row int64, canonical []byte, lh [32]byte) error {
		if canonical == nil {
			return nil
		}
		if covered[row] {
			return fmt.Errorf("row %d is erased on the chain but still holds its values: run erase again to finish it", row)
		}
		return tree.Append(lh[:])
	})
	if err != nil {
		return 0, "", fmt.Errorf("exchange: batch %s: %w", m.BatchID, err)
	}
	return int64(tree.Size()), hex.EncodeToString(tree.Root()), nil
}
