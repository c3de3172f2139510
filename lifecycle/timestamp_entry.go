package lifecycle

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/healthanchor/healthanchor/anchor"
)

// TimestampEntry is the body of a timestamp entry (anchor.KindTimestamp)
// on the chain: the tokens a node stored for one checkpoint, named by
// their digests (the tokens themselves stay in the node's state DB).
// docs/format.md documents it.
type TimestampEntry struct {
	CheckpointSize int64        `json:"checkpoint_log_size"`
	Imprint        string       `json:"imprint"` // hex SHA-256 of the checkpoint body
	Tokens         []EntryToken `json:"tokens"`
}

// EntryToken names one token of a timestamp entry.
type EntryToken struct {
	TSA         string `json:"tsa"`
	GenTime     string `json:"gen_time"`     // RFC 3339, UTC
	TokenSHA256 string `json:"token_sha256"` // of the DER token
}

// NewTimestampEntry is the entry naming tokens, which must all stamp the
// same checkpoint.
func NewTimestampEntry(tokens []StoredToken) (TimestampEntry, error) {
	if len(tokens) == 0 {
		return TimestampEntry{}, fmt.Errorf("lifecycle: timestamp entry: no token")
	}
	e := TimestampEntry{CheckpointSize: tokens[0].CheckpointSize, Imprint: tokens[0].Imprint, Tokens: []EntryToken{}}
	for _, t := range tokens {
		if t.CheckpointSize != e.CheckpointSize || t.Imprint != e.Imprint {
			return TimestampEntry{}, fmt.Errorf("lifecycle: timestamp entry: tokens of log sizes %d and %d", e.CheckpointSize, t.CheckpointSize)
		}
		e.Tokens = append(e.Tokens, EntryToken{TSA: t.TSA, GenTime: t.GenTime.UTC().Format(time.RFC3339Nano), TokenSHA256: tokenDigest(t.Token)})
	}
	return e, nil
}

// TimestampEntryContent is the canonical JSON (RFC 8785) of the entry
// body naming tokens: what the entry's signature covers, inside the
// entry.
func TimestampEntryContent(tokens []StoredToken) ([]byte, error) {
	e, err := NewTimestampEntry(tokens)
	if err != nil {
		return nil, err
	}
	return anchor.Canonical(e)
}

// TimestampOf reads a timestamp entry's body.
func TimestampOf(e anchor.Entry) (TimestampEntry, error) {
	var t TimestampEntry
	if e.Kind != anchor.KindTimestamp {
		return t, fmt.Errorf("lifecycle: %s entry is not a timestamp entry", e.Kind)
	}
	if err := e.DecodeBody(&t); err != nil {
		return t, fmt.Errorf("lifecycle: %w", err)
	}
	return t, nil
}

func tokenDigest(token []byte) string {
	d := sha256.Sum256(token)
	return hex.EncodeToString(d[:])
}
