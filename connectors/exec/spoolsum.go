package exec

import (
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"hash/crc32"
)

// spoolChunk is the size of the reads and writes of a spool.
const spoolChunk = 1 << 20

// castagnoli is the CRC-32C table: the spool's checksum, computed by the
// processor's CRC instruction where it has one.
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// spoolSum is the checksum a replay checks the spool against: CRC-32C of
// the whole file, or SHA-256 for a window planned by a version that
// recorded that digest instead (its watermark has no crc32c).
type spoolSum struct {
	hash.Hash
	name string // crc32c or sha256
	want string // the planned checksum, in hexadecimal
}

func newSpoolSum(wm watermark) *spoolSum {
	if wm.CRC32C == "" && wm.SHA256 != "" {
		return &spoolSum{Hash: sha256.New(), name: "sha256", want: wm.SHA256}
	}
	return &spoolSum{Hash: crc32.New(castagnoli), name: "crc32c", want: wm.CRC32C}
}

// digest returns the checksum of what was read, and the planned one.
func (s *spoolSum) digest() (got, want string) {
	return hex.EncodeToString(s.Sum(nil)), s.want
}
