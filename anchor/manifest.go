package anchor

import (
	"crypto/ed25519"
	"crypto/sha256"
	"fmt"
)

// Manifest commits one batch: what was read, what was written, and the
// roots and digests that prove it. It is signed by the producing agency
// (docs/format.md, "Manifest").
type Manifest struct {
	Version       int    `json:"v"`
	ChainID       string `json:"chain_id"`
	BatchID       string `json:"batch_id"`
	Agency        string `json:"agency"`
	ProducerSeq   int64  `json:"producer_seq"`
	Job           string `json:"job"`
	Source        string `json:"source"`
	WindowFrom    string `json:"window_from"` // keyed digest of the watermark the window starts after (WatermarkKey.Digest)
	WindowTo      string `json:"window_to"`   // keyed digest of the watermark it ends at
	Backfill      bool   `json:"backfill"`
	Schema        string `json:"schema"`
	Fingerprint   string `json:"fingerprint"`
	Rows          int64  `json:"rows"`
	Rejects       int64  `json:"rejects"`
	MerkleRoot    string `json:"merkle_root"`
	RejectsRoot   string `json:"rejects_root"`
	ParquetSHA256 string `json:"parquet_sha256"`
	ParquetSize   int64  `json:"parquet_size"`
	RejectsSHA256 string `json:"rejects_sha256"`
	RejectsSize   int64  `json:"rejects_size"`
	CreatedAt     string `json:"created_at"` // RFC 3339, UTC, seconds
	Signature     string `json:"signature,omitempty"`
}

// ManifestVersion is the version this code writes and accepts.
const ManifestVersion = 1

func (m Manifest) unsigned() ([]byte, error) {
	m.Signature = ""
	return Canonical(m)
}

// Sign sets the manifest's signature with the agency's key.
func (m *Manifest) Sign(key ed25519.PrivateKey) error {
	c, err := m.unsigned()
	if err != nil {
		return err
	}
	m.Signature = sign(key, DomainManifest, c)
	return nil
}

// Verify checks the manifest's signature against pub.
func (m Manifest) Verify(pub ed25519.PublicKey) error {
	c, err := m.unsigned()
	if err != nil {
		return err
	}
	if err := verifySig(pub, DomainManifest, c, m.Signature); err != nil {
		return fmt.Errorf("anchor: manifest %s: %w", m.BatchID, err)
	}
	return nil
}

// LeafHash is the manifest's leaf hash in the chain's Merkle log:
// SHA-256(0x00 || JCS(manifest with its signature)).
func (m Manifest) LeafHash() ([]byte, error) { return logLeafHash(m) }

// logLeafHash is the leaf hash of a signed object (manifest or entry) in
// the chain's Merkle log: SHA-256(0x00 || JCS(v)).
func logLeafHash(v any) ([]byte, error) {
	c, err := Canonical(v)
	if err != nil {
		return nil, err
	}
	h := sha256.New()
	h.Write([]byte{0})
	h.Write(c)
	return h.Sum(nil), nil
}
