package lifecycle

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/digitorus/pkcs7"
	"github.com/digitorus/timestamp"
)

// ErrTokenRefused marks a timestamp token that does not prove what it
// should: it does not parse, its CMS signature or certificate chain does
// not verify against the TSA's ca_file, or its imprint is not the
// checkpoint's. The token is never stored; the error says why.
var ErrTokenRefused = errors.New("lifecycle: timestamp token refused")

// refused wraps the reason a token is refused (ErrTokenRefused).
func refused(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrTokenRefused, fmt.Sprintf(format, args...))
}

// LoadCAFile reads the PEM certificates of a TSA's ca_file.
func LoadCAFile(path string) (*x509.CertPool, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("lifecycle: tsa ca_file: %w", err)
	}
	pool := x509.NewCertPool()
	n := 0
	for {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			break
		}
		if b.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, fmt.Errorf("lifecycle: tsa ca_file %s: %w", path, err)
		}
		pool.AddCert(c)
		n++
	}
	if n == 0 {
		return nil, fmt.Errorf("lifecycle: tsa ca_file %s holds no PEM certificate", path)
	}
	return pool, nil
}

// VerifyToken checks an RFC 3161 timestamp token (a CMS SignedData of a
// TSTInfo): its signature, by a certificate it carries that chains to
// roots at the token's time with the time-stamping extended key usage,
// and its message imprint, which must be SHA-256 of exactly digest's
// message. It returns the token's time. Any failure is ErrTokenRefused.
func VerifyToken(token []byte, roots *x509.CertPool, digest []byte) (time.Time, error) {
	ts, err := timestamp.Parse(token)
	if err != nil {
		return time.Time{}, refused("not a timestamp token: %v", err)
	}
	p7, err := pkcs7.Parse(token)
	if err != nil {
		return time.Time{}, refused("not a CMS signed token: %v", err)
	}
	if len(p7.Certificates) == 0 {
		return time.Time{}, refused("the token carries no certificate (the request asks for it)")
	}
	opts := x509.VerifyOptions{Roots: roots, Intermediates: x509.NewCertPool(), CurrentTime: ts.Time,
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageTimeStamping}}
	for _, c := range p7.Certificates {
		opts.Intermediates.AddCert(c)
	}
	if err := p7.VerifyWithOpts(opts); err != nil {
		return time.Time{}, refused("signature or certificate chain does not verify against the TSA's ca_file: %v", err)
	}
	if ts.HashAlgorithm != crypto.SHA256 {
		return time.Time{}, refused("imprint uses %v, not SHA-256", ts.HashAlgorithm)
	}
	if !bytes.Equal(ts.HashedMessage, digest) {
		return time.Time{}, refused("imprint %x is not the checkpoint's hash %x", ts.HashedMessage, digest)
	}
	return ts.Time.UTC(), nil
}
