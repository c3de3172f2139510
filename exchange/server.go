package exchange

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"time"

	"github.com/healthanchor/healthanchor/anchor"
	"github.com/healthanchor/healthanchor/anchor/batchfile"
)

// Location is where one record of a patient sits: a batch and a row.
type Location struct {
	BatchID string
	Row     int64
}

// Locator finds a patient's records without scanning batch files (the
// node's patient index). A patient with no records gives none, no error.
type Locator interface {
	Lookup(ctx context.Context, patientID string) ([]Location, error)
}

// BatchFiles finds the published rows file of a batch this node
// produced (ok is false when it has none), and opens it for reading: a
// local file or an object in a bucket (batchfile.File).
type BatchFiles interface {
	BatchFile(ctx context.Context, batchID string) (path string, ok bool, err error)
	Open(ctx context.Context, path string) (batchfile.File, error)
}

// DisclosureLog keeps, on the serving node only (never on the chain),
// which rows each disclosure sent, so that the disclosures of one
// patient's records can be listed exactly.
type DisclosureLog interface {
	// RecordDisclosure records that disclosure entry id sent the
	// records at locs (a Location of Row WholeBatch: every row of its
	// batch that kept its values). The server calls it before anchoring the entry
	// and sends nothing when it fails; recording an id again is a no-op.
	RecordDisclosure(ctx context.Context, id string, locs []Location) error
}

// EntryAnchorer anchors signed entries and returns once they are in a
// block of the local chain (replication.Node.AnchorEntries).
type EntryAnchorer interface {
	AnchorEntries(ctx context.Context, entries []anchor.Entry) (anchor.Block, error)
}

// Server answers fetches on the peer API (FetchPath). Every field is
// required but Now.
type Server struct {
	Agency   string
	Key      ed25519.PrivateKey
	Chain    *anchor.Chain
	Sharing  *Sharing
	Patients Locator
	Files    BatchFiles
	Anchorer EntryAnchorer
	Log      DisclosureLog
	Logger   *slog.Logger
	Now      func() time.Time
}

// errRefused and errBadRequest classify what ServeHTTP answers.
var (
	errRefused    = errors.New("refused")
	errBadRequest = errors.New("bad request")
)

// ServeHTTP answers POST FetchPath from a member over mutual TLS: 400
// for a malformed request, 403 when no grant allows it (logged, nothing
// sent), else the records with their inclusion paths, after anchoring
// the disclosure entry.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || (r.URL.Path != FetchPath && r.URL.Path != BatchPath) {
		refuse(w, http.StatusNotFound, "not_found", "no such exchange endpoint")
		return
	}
	caller := ""
	if r.TLS != nil && len(r.TLS.PeerCertificates) > 0 {
		caller = r.TLS.PeerCertificates[0].Subject.CommonName
	}
	log := s.Logger.With("recipient", caller)
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxRequestBytes))
	if err != nil {
		refuse(w, http.StatusBadRequest, "bad_request", fmt.Sprintf("request body: %v (at most %d bytes)", err, MaxRequestBytes))
		return
	}
	var req Request
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		refuse(w, http.StatusBadRequest, "bad_request", fmt.Sprintf("request: %v", err))
		return
	}
	if r.URL.Path == BatchPath {
		s.serveBatch(r.Context(), w, caller, req, raw, log)
		return
	}
	ans, err := s.answer(r.Context(), caller, req, raw, log)
	if err != nil {
		fail(w, log, req, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(ans)
}

// fail answers a request that was not served: 400 when malformed, 403
// when refused, 503 otherwise; each is logged.
func fail(w http.ResponseWriter, log *slog.Logger, req Request, err error) {
	switch {
	case errors.Is(err, errBadRequest):
		log.Info("exchange request malformed", "err", err)
		refuse(w, http.StatusBadRequest, "bad_request", err.Error())
	case errors.Is(err, errRefused):
		log.Warn("exchange request refused", "purpose", req.Purpose, "err", err)
		refuse(w, http.StatusForbidden, "forbidden", err.Error())
	default:
		log.Error("exchange request failed", "err", err)
		refuse(w, http.StatusServiceUnavailable, "unavailable", err.Error())
	}
}

func refuse(w http.ResponseWriter, code int, kind, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(Refusal{Error: msg, Kind: kind})
}

func (s *Server) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// answer checks the request and the grant, gathers the page of records,
// anchors the disclosure and returns the answer.
func (s *Server) answer(ctx context.Context, caller string, req Request, raw []byte, log *slog.Logger) (Answer, error) {
	d, err := s.authorize(caller, req, log)
	if err != nil {
		return Answer{}, err
	}
	locs, err := s.locate(ctx, req, d)
	if err != nil {
		return Answer{}, err
	}
	limit := req.Limit
	if limit == 0 {
		limit = DefaultLimit
	}
	ans := Answer{Discloser: s.Agency, Recipient: caller, Purpose: req.Purpose, BreakGlass: d.BreakGlass, Batches: []AnswerBatch{}}
	if req.Offset < len(locs) {
		end := min(len(locs), req.Offset+limit)
		if end < len(locs) {
			ans.NextOffset = end
		}
		locs = locs[req.Offset:end]
	} else {
		locs = nil
	}
	leaves, err := s.fill(ctx, &ans, locs)
	if err != nil {
		return Answer{}, err
	}
	if ans.Records == 0 {
		return ans, nil
	}
	body := Disclosure{Recipient: caller, Purpose: req.Purpose, BreakGlass: d.BreakGlass, Records: int64(ans.Records),
		RecordsRoot: recordsRoot(leaves)}
	for _, b := range ans.Batches {
		body.Batches = append(body.Batches, b.BatchID)
	}
	if ans.Disclosure, err = s.disclose(ctx, body, raw, locs); err != nil {
		return Answer{}, err
	}
	log.Info("records disclosed", "purpose", req.Purpose, "records", ans.Records, "batches", len(ans.Batches), "disclosure", ans.Disclosure)
	return ans, nil
}

// disclose signs the disclosure entry body (its request digest from
// raw), records the rows it sends (locs) and anchors it, returning its
// id: the answer may be sent only then.
func (s *Server) disclose(ctx context.Context, body Disclosure, raw []byte, locs []Location) (string, error) {
	sum := sha256.Sum256(raw)
	body.Request = hex.EncodeToString(sum[:])
	e, err := anchor.NewEntry(s.Chain.ChainID(), anchor.KindDisclosure, s.Agency, body, s.Key, s.now())
	if err != nil {
		return "", err
	}
	id, err := e.ID()
	if err != nil {
		return "", err
	}
	// The rows are recorded first: a disclosure on the chain is always
	// one this node can tell the rows of.
	if err := s.Log.RecordDisclosure(ctx, id, locs); err != nil {
		return "", fmt.Errorf("exchange: record disclosure: %w", err)
	}
	if _, err := s.Anchorer.AnchorEntries(ctx, []anchor.Entry{e}); err != nil && !errors.Is(err, anchor.ErrDuplicateEntry) {
		return "", fmt.Errorf("exchange: anchor disclosure: %w", err)
	}
	return id, nil
}

// authorize checks a request's shape and the caller's grant for it.
func (s *Server) authorize(caller string, req Request, log *slog.Logger) (Decision, error) {
	switch {
	case (req.PatientID == "") == (req.BatchID == ""):
		return Decision{}, fmt.Errorf("%w: set exactly one of patient_id and batch_id", errBadRequest)
	case req.Offset < 0 || req.Limit < 0 || req.Limit > MaxLimit:
		return Decision{}, fmt.Errorf("%w: offset must be >= 0 and limit 0 to %d", errBadRequest, MaxLimit)
	case !slices.Contains(Purposes, req.Purpose):
		return Decision{}, fmt.Errorf("%w: purpose %q is not one of %v", errBadRequest, req.Purpose, Purposes)
	}
	if _, ok := s.Chain.MemberKey(caller); !ok || caller == s.Agency {
		return Decision{}, fmt.Errorf("%w: %q is not another member of the chain", errRefused, caller)
	}
	d := s.Sharing.Allow(caller, req.Purpose, s.now())
	if !d.Allowed {
		return Decision{}, fmt.Errorf("%w: %s", errRefused, d.Reason)
	}
	if d.BreakGlass {
		log.Warn("BREAK-GLASS exchange: emergency purpose, served and flagged in the disclosure entry", "purpose", req.Purpose, "patient_request", req.PatientID != "")
	}
	return d, nil
}

// locate lists the records the request names that the grant allows, in
// batch then row order: the batch's rows, or the patient's indexed rows
// in batches of granted schemas. Batches of other agencies are never
// served (only their producer holds their files).
func (s *Server) locate(ctx context.Context, req Request, d Decision) ([]Location, error) {
	if req.BatchID != "" {
		a, err := s.grantedBatch(ctx, req.BatchID, d)
		if err != nil {
			return nil, err
		}
		locs := make([]Location, a.Manifest.Rows)
		for i := range locs {
			locs[i] = Location{BatchID: req.BatchID, Row: int64(i)}
		}
		return locs, nil
	}
	all, err := s.Patients.Lookup(ctx, req.PatientID)
	if err != nil {
		return nil, err
	}
	var out []Location
	schemaOf := map[string]string{}
	for _, l := range all {
		sc, seen := schemaOf[l.BatchID]
		if !seen {
			if a, ok, err := s.Chain.Lookup(ctx, l.BatchID); err != nil {
				return nil, err
			} else if ok && a.Manifest.Agency == s.Agency {
				sc = a.Manifest.Schema
			}
			schemaOf[l.BatchID] = sc
		}
		if sc != "" && slices.Contains(d.Schemas, sc) {
			out = append(out, l)
		}
	}
	return out, nil
}

// grantedBatch returns the anchored batch id when this agency anchored
// it and the grant covers its schema.
func (s *Server) grantedBatch(ctx context.Context, id string, d Decision) (anchor.Anchored, error) {
	a, ok, err := s.Chain.Lookup(ctx, id)
	if err != nil {
		return a, err
	}
	if !ok || a.Manifest.Agency != s.Agency {
		return a, fmt.Errorf("%w: batch %s is not one this agency anchored", errBadRequest, id)
	}
	if !slices.Contains(d.Schemas, a.Manifest.Schema) {
		return a, fmt.Errorf("%w: the grant does not cover schema %s of batch %s", errRefused, a.Manifest.Schema, id)
	}
	return a, nil
}
