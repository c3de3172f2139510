package anchor

import (
	"crypto/ed25519"
	"encoding/base64"
	"fmt"
)

// Domain-separation prefixes: every signature is over prefix || 0x0A ||
// JCS(object without its "signature" member), so a signature made for one
// kind of object can never be replayed as another.
const (
	DomainManifest = "healthanchor/manifest/v1"
	DomainBlock    = "healthanchor/block/v1"
)

func signingInput(domain string, canonical []byte) []byte {
	msg := make([]byte, 0, len(domain)+1+len(canonical))
	msg = append(msg, domain...)
	msg = append(msg, '\n')
	return append(msg, canonical...)
}

func sign(key ed25519.PrivateKey, domain string, canonical []byte) string {
	return base64.StdEncoding.EncodeToString(ed25519.Sign(key, signingInput(domain, canonical)))
}

func verifySig(pub ed25519.PublicKey, domain string, canonical []byte, sig string) error {
	// Strict: one spelling per signature. A lenient decoder also takes
	// the last digit with its unused bits set, a second string of the
	// same bytes, so a signed object would have two stored forms.
	raw, err := base64.StdEncoding.Strict().DecodeString(sig)
	if err != nil || len(raw) != ed25519.SignatureSize {
		return fmt.Errorf("signature is not base64 of %d bytes", ed25519.SignatureSize)
	}
	if !ed25519.Verify(pub, signingInput(domain, canonical), raw) {
		return fmt.Errorf("bad %s signature", domain)
	}
	return nil
}
