package batchfile

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"hash"
)

// SaltLen is the length in bytes of every row's _salt.
const SaltLen = 16

const saltDomain = "healthanchor/salt/v1"

// Salter derives the _salt of each row of one batch:
// HMAC-SHA256(key, "healthanchor/salt/v1" || 0x00 || batch_id || 0x00 ||
// uint64 big-endian row number), truncated to 16 bytes. The same key, batch
// id and row give the same salt, so a re-run reproduces the same root.
type Salter struct {
	mac    hash.Hash
	prefix []byte
	buf    []byte
}

// NewSalter returns a salter for the batch batchID under the agency's salt key.
func NewSalter(key []byte, batchID string) *Salter {
	prefix := make([]byte, 0, len(saltDomain)+len(batchID)+2)
	prefix = append(prefix, saltDomain...)
	prefix = append(prefix, 0)
	prefix = append(prefix, batchID...)
	prefix = append(prefix, 0)
	return &Salter{mac: hmac.New(sha256.New, key), prefix: prefix}
}

// Salt returns the salt of row n (0-based). The result is valid until the next call.
func (s *Salter) Salt(n uint64) []byte {
	s.mac.Reset()
	s.mac.Write(s.prefix)
	var num [8]byte
	binary.BigEndian.PutUint64(num[:], n)
	s.mac.Write(num[:])
	s.buf = s.mac.Sum(s.buf[:0])
	return s.buf[:SaltLen]
}
