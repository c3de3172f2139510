package anchor

import (
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Entry is a signed statement of a named kind that a block carries
// besides its manifests: a disclosure, its receipt, and later erasure,
// retention and timestamp statements (docs/format.md, "Entries"). Its
// body is a JSON object whose members the kind's owner defines; anchor
// checks what every entry shares: the chain, a member signer, the
// signature under the kind's domain, and that the same entry is never
// anchored twice. Entries are leaves of the chain's Merkle log after
// their block's manifests, so a quorum checkpoint covers them too.
type Entry struct {
	Version   int             `json:"v"`
	Kind      string          `json:"kind"`
	ChainID   string          `json:"chain_id"`
	Agency    string          `json:"agency"`     // the signing member
	CreatedAt string          `json:"created_at"` // RFC 3339, UTC, seconds
	Body      json.RawMessage `json:"body"`       // a JSON object, the kind's own members
	Signature string          `json:"signature,omitempty"`
}

// EntryVersion is the entry version this code writes and accepts.
const EntryVersion = 1

// Entry kinds a block may carry. A kind's signatures use the domain
// healthanchor/KIND/v1 (EntryDomain).
const (
	KindDisclosure = "disclosure"
	KindReceipt    = "receipt"
	KindErasure    = "erasure"
	KindRetention  = "retention"
	KindTimestamp  = "timestamp"
)

// entryKinds are the kinds the chain accepts; a block carrying another
// kind is invalid, so every node agrees on what an entry can be.
var entryKinds = map[string]bool{
	KindDisclosure: true, KindReceipt: true, KindErasure: true, KindRetention: true, KindTimestamp: true,
}

// ErrDuplicateEntry means the same entry (same leaf hash) is already on
// the chain: the caller should treat it as anchored.
var ErrDuplicateEntry = errors.New("entry already anchored")

// EntryDomain is the signature domain of entries of kind.
func EntryDomain(kind string) string { return "healthanchor/" + kind + "/v1" }

// NewEntry builds and signs an entry of kind with body (any value whose
// JSON is an object) as member agency with key.
func NewEntry(chainID, kind, agency string, body any, key ed25519.PrivateKey, now time.Time) (Entry, error) {
	raw, err := Canonical(body)
	if err != nil {
		return Entry{}, fmt.Errorf("anchor: entry body: %w", err)
	}
	e := Entry{Version: EntryVersion, Kind: kind, ChainID: chainID, Agency: agency,
		CreatedAt: now.UTC().Format(time.RFC3339), Body: raw}
	if err := e.wellFormed(); err != nil {
		return Entry{}, err
	}
	return e, e.Sign(key)
}

func (e Entry) unsigned() ([]byte, error) {
	e.Signature = ""
	return Canonical(e)
}

// Sign sets the entry's signature with the agency's key.
func (e *Entry) Sign(key ed25519.PrivateKey) error {
	c, err := e.unsigned()
	if err != nil {
		return err
	}
	e.Signature = sign(key, EntryDomain(e.Kind), c)
	return nil
}

// Verify checks the entry's signature against pub.
func (e Entry) Verify(pub ed25519.PublicKey) error {
	c, err := e.unsigned()
	if err != nil {
		return err
	}
	if err := verifySig(pub, EntryDomain(e.Kind), c, e.Signature); err != nil {
		return fmt.Errorf("anchor: %s entry: %w", e.Kind, err)
	}
	return nil
}

// LeafHash is the entry's leaf hash in the chain's Merkle log:
// SHA-256(0x00 || JCS(entry with its signature)).
func (e Entry) LeafHash() ([]byte, error) { return logLeafHash(e) }

// ID is the entry's id: its leaf hash in hex. Other entries refer to it
// by this id (a receipt names its disclosure).
func (e Entry) ID() (string, error) {
	lh, err := e.LeafHash()
	if err != nil {
		return "", err
	}
	return hex.EncodeToString(lh), nil
}

// DecodeBody decodes the entry's body strictly into v.
func (e Entry) DecodeBody(v any) error {
	dec := json.NewDecoder(bytes.NewReader(e.Body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("anchor: %s entry body: %w", e.Kind, err)
	}
	return nil
}

// wellFormed checks what needs no chain state: version, a known kind, a
// signer, a timestamp and an object body.
func (e Entry) wellFormed() error {
	switch {
	case e.Version != EntryVersion:
		return fmt.Errorf("entry version %d, want %d", e.Version, EntryVersion)
	case !entryKinds[e.Kind]:
		return fmt.Errorf("entry kind %q is not one the chain accepts", e.Kind)
	case e.Agency == "":
		return fmt.Errorf("%s entry names no agency", e.Kind)
	}
	if _, err := time.Parse(time.RFC3339, e.CreatedAt); err != nil {
		return fmt.Errorf("%s entry: created_at %q is not RFC 3339", e.Kind, e.CreatedAt)
	}
	if t := bytes.TrimSpace(e.Body); len(t) == 0 || t[0] != '{' {
		return fmt.Errorf("%s entry: body is not a JSON object", e.Kind)
	}
	return nil
}

// LogLeaves returns the block's leaves in the chain's Merkle log: its
// manifests' leaf hashes in order, then its entries'.
func (b Block) LogLeaves() ([][]byte, error) {
	out := make([][]byte, 0, len(b.Manifests)+len(b.Entries))
	for _, m := range b.Manifests {
		lh, err := m.LeafHash()
		if err != nil {
			return nil, err
		}
		out = append(out, lh)
	}
	for _, e := range b.Entries {
		lh, err := e.LeafHash()
		if err != nil {
			return nil, err
		}
		out = append(out, lh)
	}
	return out, nil
}
