package anchor

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// MaxProofSize is the largest proof bundle ParseProof reads: a bundle
// holds one record, two audit paths, a consistency proof, one block of at
// most a few hundred manifests and the membership blocks, far below it.
const MaxProofSize = 16 << 20

// MaxGenesisSize is the largest genesis block ParseGenesis reads.
const MaxGenesisSize = 1 << 20

// ParseProof decodes a proof bundle strictly: one JSON object of the
// documented shape (docs/proof.md), no unknown members, nothing after
// it, at most MaxProofSize bytes. It does not check the proof; see
// VerifyProof.
func ParseProof(raw []byte) (Proof, error) {
	var p Proof
	if err := decodeStrict(raw, MaxProofSize, &p); err != nil {
		return Proof{}, fmt.Errorf("anchor: proof bundle: %w", err)
	}
	return p, nil
}

// ParseGenesis decodes a genesis block strictly, as ParseProof does a
// bundle, and checks it (CheckGenesis).
func ParseGenesis(raw []byte) (Block, error) {
	var g Block
	if err := decodeStrict(raw, MaxGenesisSize, &g); err != nil {
		return Block{}, fmt.Errorf("anchor: genesis: %w", err)
	}
	if _, err := CheckGenesis(g); err != nil {
		return Block{}, fmt.Errorf("anchor: %w", err)
	}
	return g, nil
}

func decodeStrict(raw []byte, limit int, v any) error {
	if len(raw) > limit {
		return fmt.Errorf("%d bytes, more than the %d bytes this tool reads", len(raw), limit)
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		return errors.New("empty file")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.Is(err, io.ErrUnexpectedEOF):
			return errors.New("truncated JSON")
		case errors.As(err, &se):
			return fmt.Errorf("not JSON at byte %d: %w", se.Offset, err)
		case errors.As(err, &te):
			return fmt.Errorf("member %q has the wrong type (%s, want %s)", te.Field, te.Value, te.Type)
		}
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("more data after the JSON object")
	}
	return nil
}
