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
	"time"

	"github.com/healthanchor/healthanchor/anchor"
	"github.com/healthanchor/healthanchor/schemas"
)

// Errors a fetch returns, for the caller's exit code: ErrRefused (the
// source has no grant for us, or says the request is malformed) and
// ErrVerify (a record failed a check against our own replica) are
// failed checks; anything else is a transport or local problem.
var (
	ErrRefused = errors.New("exchange: the source refused")
	ErrVerify  = errors.New("exchange: verification failed")
)

// Fetcher fetches records from another member's peer API and checks each
// against its own replica of the chain.
type Fetcher struct {
	Chain *anchor.Chain // this node's own replica
	HTTP  *http.Client  // presents this node's certificate (mutual TLS)
	// Checkpoint returns the latest checkpoint of this node's own replica
	// that a quorum of the members signed ("" while there is none): every
	// proof bundle ends there, never at a checkpoint the source sent.
	Checkpoint func(ctx context.Context) (string, error)
	// Wait is how long Fetch waits for that checkpoint to cover the
	// blocks of the batches received (a batch anchored a moment ago is
	// cosigned within seconds); 0 does not wait.
	Wait time.Duration
}

// Fetched is what a fetch verified: every record's proof bundle, in
// answer order, and the disclosures the source anchored for it.
type Fetched struct {
	Source      string
	Proofs      []anchor.Proof
	Schemas     map[string]string // batch id -> schema
	Disclosures []Disclosed
	// Batch, for a whole-batch fetch (FetchBatch), is the batch bundle;
	// the batch file is then already in the staging folder, Records is
	// the number of rows with values, and Proofs holds them only when
	// the caller asked for them (FHIR), without inclusion paths.
	Batch   *anchor.Proof
	Records int64
}

// Disclosed is one disclosure the source said it anchored, with what the
// recipient recomputed from the records it received.
type Disclosed struct {
	ID          string
	Records     int64
	RecordsRoot string
}

// Fetch posts req to the source's peer API at addr, page after page, then
// verifies every record against this replica (anchor.Chain.ProveRecords,
// the code behind `verify proof`) and the latest quorum checkpoint this
// replica holds. Nothing is written: the caller writes the result only
// when Fetch returns no error.
func (f *Fetcher) Fetch(ctx context.Context, source, addr string, req Request) (Fetched, error) {
	var pages []Answer
	if req.Limit == 0 {
		// The largest pages the protocol allows: fewer round trips, fewer
		// re-reads of the batch file at the source, fewer disclosures.
		req.Limit = MaxLimit
	}
	for {
		ans, err := f.post(ctx, addr, req)
		if err != nil {
			return Fetched{}, err
		}
		if ans.Discloser != source {
			return Fetched{}, fmt.Errorf("%w: the answer is from %q, not %q", ErrVerify, ans.Discloser, source)
		}
		pages = append(pages, ans)
		if ans.NextOffset == 0 {
			break
		}
		if ans.NextOffset <= req.Offset {
			return Fetched{}, fmt.Errorf("%w: the source's next page offset %d does not advance", ErrVerify, ans.NextOffset)
		}
		req.Offset = ans.NextOffset
	}
	checkpoint, err := f.covering(ctx, batchIDs(pages))
	if err != nil {
		return Fetched{}, err
	}
	out := Fetched{Source: source, Schemas: map[string]string{}}
	for _, ans := range pages {
		var leaves [][]byte
		for _, b := range ans.Batches {
			recs := make([]anchor.ProofRecord, len(b.Records))
			for i, r := range b.Records {
				recs[i] = anchor.ProofRecord{Canonical: r.Canonical, Index: r.Row, Inclusion: r.Inclusion}
				lh := schemas.LeafHash([]byte(r.Canonical))
				leaves = append(leaves, lh[:])
			}
			ps, err := f.Chain.ProveRecords(ctx, b.BatchID, recs, checkpoint)
			if err != nil {
				return Fetched{}, fmt.Errorf("%w: %w", ErrVerify, err)
			}
			if len(ps) == 0 {
				continue
			}
			if err := checkPatient(req, ps); err != nil {
				return Fetched{}, err
			}
			out.Proofs = append(out.Proofs, ps...)
			out.Schemas[b.BatchID] = ps[0].Manifest.Schema
		}
		if ans.Records > 0 {
			out.Disclosures = append(out.Disclosures, Disclosed{ID: ans.Disclosure, Records: int64(len(leaves)), RecordsRoot: recordsRoot(leaves)})
		}
	}
	return out, nil
}

// checkPatient checks that every record of a patient fetch names that
// patient: a source cannot pass another patient's (valid) records off.
func checkPatient(req Request, ps []anchor.Proof) error {
	if req.PatientID == "" {
		return nil
	}
	for _, p := range ps {
		var rec struct {
			PatientID string `json:"patient_id"`
		}
		if err := json.Unmarshal([]byte(p.Record.Canonical), &rec); err != nil || rec.PatientID != req.PatientID {
			return fmt.Errorf("%w: batch %s record %d: not a record of patient %q", ErrVerify, p.Manifest.BatchID, p.Record.Index, req.PatientID)
		}
	}
	return nil
}

// send posts req as JSON to path on the source at addr through hc and
// returns its response, whatever its status; the caller closes its body.
func send(ctx context.Context, hc *http.Client, addr, path string, req Request) (*http.Response, error) {
	body, err := json.Marshal(req)
	if err != nil {
		return nil, fmt.Errorf("exchange: request: %w", err)
	}
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, "https://"+addr+path, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("exchange: request: %w", err)
	}
	hr.Header.Set("Content-Type", "application/json")
	resp, err := hc.Do(hr)
	if err != nil {
		return nil, fmt.Errorf("exchange: fetch from %s: %w", addr, err)
	}
	return resp, nil
}

func (f *Fetcher) post(ctx context.Context, addr string, req Request) (Answer, error) {
	resp, err := send(ctx, f.HTTP, addr, FetchPath, req)
	if err != nil {
		return Answer{}, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return Answer{}, fmt.Errorf("exchange: fetch from %s: %w", addr, err)
	}
	if resp.StatusCode != http.StatusOK {
		return Answer{}, refusal(addr, resp.StatusCode, raw)
	}
	var ans Answer
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&ans); err != nil {
		return Answer{}, fmt.Errorf("%w: the answer does not decode: %v", ErrVerify, err)
	}
	for _, b := range ans.Batches {
		for _, r := range b.Records {
			for _, h := range r.Inclusion {
				if _, err := hex.DecodeString(h); err != nil {
					return Answer{}, fmt.Errorf("%w: batch %s record %d: inclusion path is not hex", ErrVerify, b.BatchID, r.Row)
				}
			}
		}
	}
	return ans, nil
}

// refusal is the error of an answer of HTTP status code with body raw
// (a Refusal): ErrRefused for 400 and 403, with the source's reason.
func refusal(addr string, code int, raw []byte) error {
	var ref Refusal
	if json.Unmarshal(raw, &ref) != nil || ref.Error == "" {
		ref.Error = fmt.Sprintf("HTTP %d", code)
	}
	if code == http.StatusForbidden || code == http.StatusBadRequest {
		return fmt.Errorf("%w (HTTP %d): %s", ErrRefused, code, ref.Error)
	}
	return fmt.Errorf("exchange: fetch from %s: HTTP %d: %s", addr, code, ref.Error)
}
