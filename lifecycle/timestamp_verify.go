package lifecycle

import (
	"context"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"time"
)

// TokenCheck is the outcome of re-checking one stored token.
type TokenCheck struct {
	TSA            string    `json:"tsa"`
	CheckpointSize int64     `json:"checkpoint_log_size"`
	Height         int64     `json:"block_height"` // the block that ends the log at that size
	Time           time.Time `json:"time"`
	OK             bool      `json:"ok"`
	// Problem says why the token does not hold, or why it was not
	// checked (its TSA is no longer in the config: Skipped).
	Problem string `json:"problem,omitempty"`
	Skipped bool   `json:"skipped,omitempty"`
	// EntryHeight is the block of the timestamp entry naming the token;
	// 0 while none does yet.
	EntryHeight int64 `json:"entry_height,omitempty"`
}

// TimestampReport is what `verify chain` says of the stored tokens.
type TimestampReport struct {
	Tokens []TokenCheck `json:"tokens"`
	// Latest is the verified token of the largest checkpoint (the
	// earliest such when several TSAs stamped it): the chain's state at
	// that log size is proven to have existed by its time. Nil when no
	// token verified.
	Latest *TokenCheck `json:"latest,omitempty"`
	// EntryProblems are the timestamp entries on the chain that the
	// stored tokens do not match (checkEntries).
	EntryProblems []string `json:"entry_problems,omitempty"`
}

// Problems lists the tokens that failed, for a Mismatch.
func (r TimestampReport) Problems() []string {
	var out []string
	for _, t := range r.Tokens {
		if !t.OK && !t.Skipped {
			out = append(out, fmt.Sprintf("timestamp token of %s for log size %d: %s", t.TSA, t.CheckpointSize, t.Problem))
		}
	}
	return append(out, r.EntryProblems...)
}

// VerifyTokens re-checks every stored token: its CMS signature and
// certificate chain against its TSA's ca_file (from cfg, paths relative
// to dir), its imprint against the SHA-256 of its checkpoint's body, and
// that checkpoint against the chain (same origin, a block with that log
// size and root). A token whose TSA is not in cfg is skipped. With
// entries, every token a timestamp entry of the agency names must be
// stored, with the digest and imprint the entry names (checkEntries).
// The error is only for a store or chain that cannot be read.
func VerifyTokens(ctx context.Context, store *TokenStore, chain BlockReader, cfg *TimestampConfig, dir string, entries *EntryAnchor) (TimestampReport, error) {
	tokens, err := store.All(ctx)
	if err != nil {
		return TimestampReport{}, err
	}
	cas := map[string]string{}
	if cfg != nil {
		for _, t := range cfg.TSA {
			cas[t.URL] = t.CAFile
		}
	}
	rep := TimestampReport{Tokens: []TokenCheck{}}
	for _, t := range tokens {
		c := TokenCheck{TSA: t.TSA, CheckpointSize: t.CheckpointSize, Time: t.GenTime}
		ca, ok := cas[t.TSA]
		if !ok {
			c.Skipped, c.Problem = true, "its TSA is not in the config's timestamp.tsa: no ca_file to check it against"
			rep.Tokens = append(rep.Tokens, c)
			continue
		}
		if !filepath.IsAbs(ca) {
			ca = filepath.Join(dir, ca)
		}
		c.Height, c.Time, err = verifyStored(ctx, chain, t, ca)
		if err != nil {
			c.Problem = err.Error()
		} else {
			c.OK = true
		}
		rep.Tokens = append(rep.Tokens, c)
	}
	if entries != nil {
		if rep.EntryProblems, err = checkEntries(ctx, entries, tokens, &rep); err != nil {
			return rep, err
		}
	}
	for i := range rep.Tokens {
		t := &rep.Tokens[i]
		if t.OK && (rep.Latest == nil || t.CheckpointSize > rep.Latest.CheckpointSize ||
			(t.CheckpointSize == rep.Latest.CheckpointSize && t.Time.Before(rep.Latest.Time))) {
			rep.Latest = t
		}
	}
	return rep, nil
}

func verifyStored(ctx context.Context, chain BlockReader, t StoredToken, caFile string) (int64, time.Time, error) {
	cp, err := parseCheckpoint(t.Checkpoint)
	if err != nil {
		return 0, time.Time{}, err
	}
	if cp.Size != t.CheckpointSize || hex.EncodeToString(cp.Digest) != t.Imprint {
		return 0, time.Time{}, fmt.Errorf("the stored checkpoint (log size %d, hash %x) is not the one recorded (log size %d, hash %s)", cp.Size, cp.Digest, t.CheckpointSize, t.Imprint)
	}
	height, err := checkOnChain(ctx, chain, cp)
	if err != nil {
		return 0, time.Time{}, err
	}
	roots, err := LoadCAFile(caFile)
	if err != nil {
		return height, time.Time{}, err
	}
	at, err := VerifyToken(t.Token, roots, cp.Digest)
	return height, at, err
}
