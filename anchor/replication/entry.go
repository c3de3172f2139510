package replication

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/healthanchor/healthanchor/anchor"
)

// entry is one command in the Raft log. The log carries signed blocks
// only; their authenticity comes from the signatures inside, checked by
// every node's state machine.
type entry struct {
	Kind  string        `json:"kind"` // "block"
	Block *anchor.Block `json:"block,omitempty"`
}

const kindBlock = "block"

func encodeBlockEntry(b anchor.Block) ([]byte, error) {
	if b.Manifests == nil {
		b.Manifests = []anchor.Manifest{}
	}
	raw, err := anchor.Canonical(entry{Kind: kindBlock, Block: &b})
	if err != nil {
		return nil, fmt.Errorf("replication: encode block %d: %w", b.Height, err)
	}
	return raw, nil
}

// decodeEntry parses a log command strictly: unknown fields are an error,
// so that two versions never read the same bytes differently.
func decodeEntry(data []byte) (entry, error) {
	var e entry
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil {
		return entry{}, fmt.Errorf("replication: log entry: %w", err)
	}
	if e.Kind != kindBlock || e.Block == nil {
		return entry{}, fmt.Errorf("replication: log entry of kind %q", e.Kind)
	}
	return e, nil
}
