package lifecycle

import (
	"context"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"path/filepath"
	"time"
)

// Log keys of the stamper.
const (
	logKeyTSA   = "tsa"
	logKeySize  = "log_size"
	logKeyError = "error"
	logKeyRetry = "retry_in"
)

// Stamper asks each configured TSA for a token over the chain's latest
// checkpoint, verifies it against that TSA's ca_file and stores it.
type Stamper struct {
	Config *TimestampConfig
	// Dir is the config file's folder, which ca_file paths are relative to.
	Dir string
	// Checkpoint returns the latest signed checkpoint note, "" when the
	// chain has none yet.
	Checkpoint func(ctx context.Context) (string, error)
	Store      *TokenStore
	Client     *http.Client      // http.DefaultClient with a 30 s timeout when nil
	Logger     *slog.Logger      // discards when nil
	Metrics    *TimestampMetrics // none when nil
	// Entries, when set, anchors a timestamp entry naming the tokens
	// once they are stored (AnchorStored).
	Entries *EntryAnchor
}

// StampResult is what one TSA gave for one checkpoint.
type StampResult struct {
	TSA            string
	CheckpointSize int64
	Time           time.Time // the token's time, when stored
	Already        bool      // a token for this checkpoint was stored before
	Err            error     // why no token was stored; ErrTokenRefused for a bad one
}

// ErrNoCheckpoint is returned by StampOnce while the chain holds no
// manifest: there is nothing to stamp yet; try after the first run.
var ErrNoCheckpoint = errors.New("lifecycle: no checkpoint yet: the chain holds no manifest")

// StampOnce asks every TSA, in config order, for a token over the latest
// checkpoint, unless one for it is stored already. Each result says what
// that TSA gave; the error is only for the checkpoint or the store.
func (s *Stamper) StampOnce(ctx context.Context) ([]StampResult, error) {
	text, err := s.Checkpoint(ctx)
	if err != nil {
		return nil, fmt.Errorf("lifecycle: latest checkpoint: %w", err)
	}
	if text == "" {
		return nil, ErrNoCheckpoint
	}
	cp, err := parseCheckpoint(text)
	if err != nil {
		return nil, err
	}
	var out []StampResult
	for _, tsa := range s.Config.TSA {
		r := StampResult{TSA: tsa.URL, CheckpointSize: cp.Size}
		has, err := s.Store.Has(ctx, tsa.URL, cp.Size)
		if err != nil {
			return out, err
		}
		if has {
			r.Already = true
		} else {
			r.Time, r.Err = s.stamp(ctx, tsa, text, cp)
		}
		out = append(out, r)
	}
	return out, nil
}

// stamp gets, verifies and stores one TSA's token for cp.
func (s *Stamper) stamp(ctx context.Context, tsa TSAConfig, text string, cp stampedCheckpoint) (time.Time, error) {
	roots, err := s.roots(tsa)
	if err != nil {
		return time.Time{}, err
	}
	client := s.Client
	if client == nil {
		client = &http.Client{Timeout: 30 * time.Second}
	}
	token, err := RequestToken(ctx, client, tsa.URL, cp.Digest)
	if err == nil {
		var at time.Time
		if at, err = VerifyToken(token, roots, cp.Digest); err == nil {
			err = s.Store.Add(ctx, StoredToken{TSA: tsa.URL, CheckpointSize: cp.Size, Checkpoint: text,
				Imprint: hex.EncodeToString(cp.Digest), GenTime: at, Token: token})
			if err == nil {
				s.Metrics.count(tsa.URL, "ok")
				s.Metrics.stored(tsa.URL, float64(at.Unix()))
				return at, nil
			}
			return time.Time{}, err
		}
	}
	if errors.Is(err, ErrTokenRefused) {
		s.Metrics.count(tsa.URL, "refused")
	} else {
		s.Metrics.count(tsa.URL, "unreachable")
	}
	return time.Time{}, err
}

func (s *Stamper) roots(tsa TSAConfig) (*x509.CertPool, error) {
	path := tsa.CAFile
	if !filepath.IsAbs(path) {
		path = filepath.Join(s.Dir, path)
	}
	return LoadCAFile(path)
}

// Retry back-off after a round where some TSA gave no token: the first
// wait, doubled after each failed round up to the config's interval.
const firstRetry = time.Minute

// Run stamps at once, then every Config.Interval(), until ctx is done,
// anchoring a timestamp entry for the tokens stored after each round. A
// round where some TSA gave no token, or whose entry could not be
// anchored, is retried after a back-off (1 min, doubling, at most the
// interval), with a warning each time; the TSAs that answered are not
// asked again for the same checkpoint (an entry anchored in between
// makes a newer checkpoint, which they are asked to stamp). It never
// blocks anything else: serve runs it beside the jobs.
func (s *Stamper) Run(ctx context.Context) {
	log := s.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	wait := time.Duration(0)
	backoff := firstRetry
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		results, err := s.StampOnce(ctx)
		failed := err != nil && !errors.Is(err, ErrNoCheckpoint)
		if failed {
			log.Warn("timestamp: cannot stamp the chain", logKeyError, err.Error())
		}
		for _, r := range results {
			switch {
			case r.Err != nil:
				failed = true
				log.Warn("timestamp: no token from TSA", logKeyTSA, r.TSA, logKeySize, r.CheckpointSize, logKeyError, r.Err.Error(), logKeyRetry, backoff.String())
			case !r.Already:
				log.Info("timestamp: token stored", logKeyTSA, r.TSA, logKeySize, r.CheckpointSize, "time", r.Time.Format(time.RFC3339))
			}
		}
		stamps, err := s.AnchorStored(ctx)
		for _, a := range stamps {
			log.Info("timestamp: entry anchored", logKeySize, a.CheckpointSize, "tokens", a.Tokens, "height", a.Height)
		}
		if err != nil && ctx.Err() == nil {
			failed = true
			log.Warn("timestamp: tokens stored but not anchored", logKeyError, err.Error(), logKeyRetry, backoff.String())
		}
		if failed && ctx.Err() == nil {
			wait = backoff
			backoff = min(2*backoff, s.Config.Interval())
			continue
		}
		wait, backoff = s.Config.Interval(), firstRetry
	}
}
