package exchange

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/healthanchor/healthanchor/anchor"
	"github.com/healthanchor/healthanchor/anchor/batchfile"
	"github.com/healthanchor/healthanchor/anchor/merkle"
	"github.com/healthanchor/healthanchor/internal/fsutil"
)

// batchTransferTimeout bounds a whole-batch transfer, which the peer
// client's own timeout (meant for small calls) would cut.
const batchTransferTimeout = 30 * time.Minute

// maxBatchSize is the largest file a source may send for a batch of
// manifest m: its anchored size, plus room for an erased file, which
// carries each erased row's leaf hash (64 hex digits) in its _leaf
// column.
func maxBatchSize(m anchor.Manifest) int64 {
	return m.ParquetSize + 80*m.Rows + 1<<20
}

// FetchBatch fetches a whole batch (req.BatchID) from the source's peer
// API at addr into folder dir (a Staging folder) as BATCH.parquet, the
// file byte for byte as the source stores it, then checks it against
// this replica alone, in one pass over its rows: the anchored manifest
// (never the source's copy) and its signature and block, the Merkle
// root recomputed from the rows (an erased row by the leaf hash its
// _leaf column keeps, every one covered by an anchored erasure entry),
// the row count, the batch id, schema and fingerprint in the footer, the
// SHA-256 and size of a file without erasures, as `verify batch` does;
// and the batch bundle (anchor.Chain.ProveBatch) ending at this replica's
// latest quorum checkpoint. The disclosure's records root, over the
// rows with values, is the file's root when no row is erased, else
// recomputed from the kept rows. With records set it also returns those
// rows (Fetched.Proofs, for the FHIR rendering) from the same pass.
// Anything that does not verify is ErrVerify; the caller removes dir.
func (f *Fetcher) FetchBatch(ctx context.Context, source, addr string, req Request, dir string, records bool) (Fetched, error) {
	id := req.BatchID
	// Wait for this replica before asking: a batch it does not hold is
	// refused without a disclosure being anchored at the source.
	checkpoint, err := f.covering(ctx, []string{id})
	if err != nil {
		return Fetched{}, err
	}
	a, ok, err := f.Chain.Lookup(ctx, id)
	if err != nil {
		return Fetched{}, err
	}
	if !ok {
		return Fetched{}, fmt.Errorf("%w: batch %s: the batch is not on this node's chain", ErrVerify, id)
	}
	bundle, err := f.Chain.ProveBatch(ctx, id, checkpoint)
	if err != nil {
		return Fetched{}, fmt.Errorf("%w: %w", ErrVerify, err)
	}
	path := filepath.Join(dir, id+".parquet")
	ans, err := f.download(ctx, source, addr, Request{BatchID: id, Purpose: req.Purpose}, a.Manifest, path)
	if err != nil {
		return Fetched{}, err
	}
	// The file must be on disk before the staging folder is renamed into
	// place; its fsync runs while its rows are checked, from the page cache.
	synced := make(chan error, 1)
	go func() { synced <- fsutil.SyncFile(path) }()
	out, err := f.checkBatch(ctx, source, id, path, a.Manifest.Schema, bundle, ans, records)
	if serr := <-synced; err == nil && serr != nil {
		err = fmt.Errorf("exchange: batch %s: %w", id, serr)
	}
	return out, err
}

// checkBatch checks the batch file at path, received from source with
// answer ans, against this replica, as FetchBatch describes.
func (f *Fetcher) checkBatch(ctx context.Context, source, id, path, schema string, bundle anchor.Proof, ans BatchAnswer, records bool) (Fetched, error) {
	out := Fetched{Source: source, Schemas: map[string]string{id: schema}, Batch: &bundle}
	var fn batchfile.RowFunc
	if records {
		fn = func(row int64, canonical []byte, _ [32]byte) error {
			if canonical != nil { // an erased row is not disclosed
				p := bundle
				p.Scope, p.Record = "", anchor.ProofRecord{Canonical: string(canonical), Index: row}
				out.Proofs = append(out.Proofs, p)
			}
			return nil
		}
	}
	rep, err := f.Chain.VerifyBatchFileRows(ctx, path, id, anchor.FileRows, fn)
	var mm *anchor.Mismatch
	if errors.As(err, &mm) {
		return Fetched{}, fmt.Errorf("%w: %w", ErrVerify, err)
	}
	if err != nil {
		return Fetched{}, err
	}
	if rep.Erasure != nil && len(rep.Erasure.Pending) > 0 {
		return Fetched{}, fmt.Errorf("%w: batch %s: the source sent %d rows (%v…) that an anchored erasure entry covers", ErrVerify, id, len(rep.Erasure.Pending), rep.Erasure.Pending[0])
	}
	// The disclosure's records: every row, whose root the file was just
	// checked to have, or, when rows are erased, the kept ones, hashed
	// again (a file verified above, read a second time).
	root := rep.Root
	out.Records = rep.Rows
	if rep.Erasure != nil && rep.Erasure.Erased > 0 {
		kept := merkle.New()
		_, err := batchfile.Read(ctx, path, func(_ int64, canonical []byte, lh [32]byte) error {
			if canonical == nil {
				return nil
			}
			return kept.Append(lh[:])
		})
		if err != nil {
			return Fetched{}, fmt.Errorf("exchange: batch %s: %w", id, err)
		}
		root, out.Records = hex.EncodeToString(kept.Root()), int64(kept.Size())
	}
	if ans.Disclosure != "" {
		out.Disclosures = []Disclosed{{ID: ans.Disclosure, Records: out.Records, RecordsRoot: root}}
	} else if out.Records > 0 {
		return Fetched{}, fmt.Errorf("%w: batch %s: the source sent %d records without a disclosure", ErrVerify, id, out.Records)
	}
	return out, nil
}

// download posts a whole-batch request and writes the answer's body,
// the batch file, to path (new, mode 0600, not yet synced). It checks
// the answer's description against the request.
func (f *Fetcher) download(ctx context.Context, source, addr string, req Request, m anchor.Manifest, path string) (BatchAnswer, error) {
	hc := *f.HTTP
	hc.Timeout = batchTransferTimeout
	resp, err := send(ctx, &hc, addr, BatchPath, req)
	if err != nil {
		return BatchAnswer{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		raw, _ := io.ReadAll(io.LimitReader(resp.Body, MaxRequestBytes))
		return BatchAnswer{}, refusal(addr, resp.StatusCode, raw)
	}
	var ans BatchAnswer
	dec := json.NewDecoder(bytes.NewReader([]byte(resp.Header.Get(AnswerHeader))))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&ans); err != nil {
		return ans, fmt.Errorf("%w: the answer's %s header does not decode: %v", ErrVerify, AnswerHeader, err)
	}
	switch {
	case ans.Discloser != source:
		return ans, fmt.Errorf("%w: the answer is from %q, not %q", ErrVerify, ans.Discloser, source)
	case ans.BatchID != req.BatchID:
		return ans, fmt.Errorf("%w: asked for batch %s, the source answered with batch %s", ErrVerify, req.BatchID, ans.BatchID)
	case ans.Size < 0 || ans.Size > maxBatchSize(m):
		return ans, fmt.Errorf("%w: batch %s: the source announces %d bytes, more than a file of %d rows can hold", ErrVerify, req.BatchID, ans.Size, m.Rows)
	}
	file, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600) // patient data
	if err != nil {
		return ans, fmt.Errorf("exchange: %w", err)
	}
	n, err := io.Copy(file, io.LimitReader(resp.Body, ans.Size+1))
	if err == nil && n != ans.Size {
		err = fmt.Errorf("%w: batch %s: received %d bytes of the %d announced", ErrVerify, req.BatchID, n, ans.Size)
	}
	if cerr := file.Close(); err == nil {
		err = cerr
	}
	if errors.Is(err, ErrVerify) {
		return ans, err
	}
	if err != nil {
		return ans, fmt.Errorf("exchange: fetch from %s: batch %s: %w", addr, req.BatchID, err)
	}
	return ans, nil
}
