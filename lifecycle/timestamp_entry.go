package lifecycle

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/healthanchor/healthanchor/anchor"
)

// TimestampEntry is the content of a timestamp entry on the chain: the
// tokens one round stored for one checkpoint, named by their digests (the
// tokens themselves stay in the node's store). It is the seam to the
// generic signed-entry mechanism: that mechanism signs and anchors the
// bytes TimestampEntryContent returns; nothing here anchors anything yet.
type TimestampEntry struct {
	Kind           string       `json:"kind"` // "timestamp"
	ChainID        string       `json:"chain_id"`
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

// TimestampEntryContent is the canonical JSON (RFC 8785) of the entry
// naming tokens, which must all stamp the same checkpoint.
func TimestampEntryContent(chainID string, tokens []StoredToken) ([]byte, error) {
	if len(tokens) == 0 {
		return nil, fmt.Errorf("lifecycle: timestamp entry: no token")
	}
	e := TimestampEntry{Kind: "timestamp", ChainID: chainID, CheckpointSize: tokens[0].CheckpointSize, Imprint: tokens[0].Imprint, Tokens: []EntryToken{}}
	for _, t := range tokens {
		if t.CheckpointSize != e.CheckpointSize || t.Imprint != e.Imprint {
			return nil, fmt.Errorf("lifecycle: timestamp entry: tokens of log sizes %d and %d", e.CheckpointSize, t.CheckpointSize)
		}
		d := sha256.Sum256(t.Token)
		e.Tokens = append(e.Tokens, EntryToken{TSA: t.TSA, GenTime: t.GenTime.UTC().Format(time.RFC3339Nano), TokenSHA256: hex.EncodeToString(d[:])})
	}
	return anchor.Canonical(e)
}
