package batchfile

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
)

// SaltLen is the length in bytes of every row's _salt.
const SaltLen = 16

const saltDomain = "healthanchor/salt/v2"

// saltRun is how many salts a Salter derives at once.
const saltRun = 4096

// Salter derives the _salt of each row of one batch (docs/format.md,
// "Salts"): with batch_key the first 16 bytes of
// HMAC-SHA256(key, "healthanchor/salt/v2" || 0x00 || batch_id), the salt of
// row n is AES-128(batch_key) applied to n as a 16-byte big-endian number,
// which is block n of the AES-128-CTR key stream from counter 0. The same
// key, batch id and row give the same salt, so a re-run reproduces the
// same root; without the key no salt can be computed.
type Salter struct {
	block cipher.Block
	first uint64 // row of run[0]
	run   []byte // saltRun salts from row first, once filled
	ctr   []byte // counter block scratch
}

// NewSalter returns a salter for the batch batchID under the agency's salt key.
func NewSalter(key []byte, batchID string) *Salter {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(saltDomain))
	mac.Write([]byte{0})
	mac.Write([]byte(batchID))
	block, err := aes.NewCipher(mac.Sum(nil)[:16])
	if err != nil {
		panic(err) // a 16-byte key is always valid
	}
	return &Salter{block: block, ctr: make([]byte, aes.BlockSize)}
}

// Salt returns the salt of row n (0-based). Rows asked in order are
// derived saltRun at a time. The result is valid until the next call.
func (s *Salter) Salt(n uint64) []byte {
	if s.run == nil || n < s.first || n >= s.first+saltRun {
		s.fill(n)
	}
	off := (n - s.first) * SaltLen
	return s.run[off : off+SaltLen : off+SaltLen]
}

// fill derives the salts of rows n to n+saltRun-1.
func (s *Salter) fill(n uint64) {
	if s.run == nil {
		s.run = make([]byte, saltRun*SaltLen)
	}
	clear(s.run)
	binary.BigEndian.PutUint64(s.ctr[:8], 0)
	binary.BigEndian.PutUint64(s.ctr[8:], n)
	cipher.NewCTR(s.block, s.ctr).XORKeyStream(s.run, s.run)
	s.first = n
}
