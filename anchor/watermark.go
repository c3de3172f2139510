package anchor

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
)

// watermarkDomain separates the watermark key from every other use of the
// agency's salt key (row salts use "healthanchor/salt/v2").
const watermarkDomain = "healthanchor/watermark/v1"

// WatermarkKey is the agency's secret for the watermark digests that a
// manifest carries (window_from, window_to) and its batch id derives
// from: HMAC-SHA256(salt_key, "healthanchor/watermark/v1") (docs/format.md,
// section 5). A watermark holds digests of the input (a file's SHA-256, a
// SQL row's hash), so a plain hash of it on the chain would let anyone
// confirm a guessed export; keyed, only the agency can.
type WatermarkKey []byte

// NewWatermarkKey derives the watermark key from the agency's salt key.
func NewWatermarkKey(saltKey []byte) WatermarkKey {
	mac := hmac.New(sha256.New, saltKey)
	mac.Write([]byte(watermarkDomain))
	return mac.Sum(nil)
}

// Digest is the hex HMAC-SHA256 of a watermark's bytes under the key: the
// manifest's window_from and window_to.
func (k WatermarkKey) Digest(w []byte) string {
	mac := hmac.New(sha256.New, k)
	mac.Write(w)
	return hex.EncodeToString(mac.Sum(nil))
}

// BatchID returns the deterministic id of the batch of schema that a job
// extracts from source over the window (from, to]: the first 16 bytes, in
// hex, of SHA-256("healthanchor/batch/v2" LF job LF source LF schema LF
// kind LF k.Digest(from) LF k.Digest(to)), kind being "nightly" or
// "backfill". It is computable from the manifest's own members.
func (k WatermarkKey) BatchID(job, source, schema string, backfill bool, from, to []byte) string {
	return batchID("healthanchor/batch/v2", job, source, schema, backfill, k.Digest(from), k.Digest(to))
}

// LegacyBatchID is the id that releases before the keyed watermark digest
// gave the same batch: "healthanchor/batch/v1" over the plain SHA-256 of
// the watermarks. It is only looked up, to resume a window anchored by
// such a release; it is never written to the chain again.
func LegacyBatchID(job, source, schema string, backfill bool, from, to []byte) string {
	plain := func(w []byte) string { s := sha256.Sum256(w); return hex.EncodeToString(s[:]) }
	return batchID("healthanchor/batch/v1", job, source, schema, backfill, plain(from), plain(to))
}

func batchID(domain, job, source, schema string, backfill bool, from, to string) string {
	kind := "nightly"
	if backfill {
		kind = "backfill"
	}
	h := sha256.New()
	fmt.Fprintf(h, "%s\n%s\n%s\n%s\n%s\n%s\n%s", domain, job, source, schema, kind, from, to)
	return hex.EncodeToString(h.Sum(nil)[:16])
}
