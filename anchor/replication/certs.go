package replication

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"time"

	"github.com/healthanchor/healthanchor/internal/fsutil"
)

// CA is a consortium certificate authority: it signs the TLS certificate
// of every node allowed in the cluster. Its key stays with whoever admits
// nodes (for `cluster init` trials, DIR/ca/ca.key).
type CA struct {
	Cert *x509.Certificate
	Key  *ecdsa.PrivateKey
}

// certValidity is how long `cluster init` certificates last.
const certValidity = 5 * 365 * 24 * time.Hour

// NewCA creates a self-signed CA named name.
func NewCA(name string) (*CA, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("replication: ca key: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: name, Organization: []string{"healthanchor consortium"}},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(certValidity),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, fmt.Errorf("replication: ca: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("replication: ca: %w", err)
	}
	return &CA{Cert: cert, Key: key}, nil
}

func serial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
	if err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return n
}

// Issue makes a new node key and signs a certificate for node id (its
// Common Name, checked by peers against the membership) valid for the
// given hosts (IP addresses or DNS names), for both server and client
// use. It returns PEM cert and key. It is SignCSR without the round trip,
// for trial clusters where the CA and the nodes share a machine.
func (ca *CA) Issue(id string, hosts []string) (certPEM, keyPEM []byte, err error) {
	key, keyPEM, err := NewNodeKey()
	if err != nil {
		return nil, nil, err
	}
	certPEM, err = ca.sign(id, hosts, key.Public())
	if err != nil {
		return nil, nil, err
	}
	return certPEM, keyPEM, nil
}

// sign issues the node certificate for id, hosts and pub: the one
// template every node certificate uses.
func (ca *CA) sign(id string, hosts []string, pub crypto.PublicKey) ([]byte, error) {
	if id == "" {
		return nil, errors.New("replication: certificate: empty node id (common name)")
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{CommonName: id, Organization: []string{"healthanchor node"}},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(certValidity),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
	}
	tmpl.IPAddresses, tmpl.DNSNames = splitHosts(hosts)
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.Cert, pub, ca.Key)
	if err != nil {
		return nil, fmt.Errorf("replication: certificate for %s: %w", id, err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), nil
}

// splitHosts sorts host names into IP addresses and DNS names.
func splitHosts(hosts []string) (ips []net.IP, names []string) {
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			ips = append(ips, ip)
		} else {
			names = append(names, h)
		}
	}
	return ips, names
}

// CertPEM is the CA certificate in PEM.
func (ca *CA) CertPEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.Cert.Raw})
}

// Write stores the CA as certFile and keyFile (mode 0600), refusing to
// overwrite either.
func (ca *CA) Write(certFile, keyFile string) error {
	kder, err := x509.MarshalECPrivateKey(ca.Key)
	if err != nil {
		return fmt.Errorf("replication: ca: %w", err)
	}
	for _, p := range []string{certFile, keyFile} {
		if _, err := os.Lstat(p); err == nil {
			return fmt.Errorf("replication: ca: %s already exists: refusing to overwrite it", p)
		}
	}
	if err := fsutil.WriteNew(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600); err != nil {
		return fmt.Errorf("replication: ca: %w", err)
	}
	if err := fsutil.WriteNew(certFile, ca.CertPEM(), 0o644); err != nil {
		return fmt.Errorf("replication: ca: %w", err)
	}
	return nil
}

// LoadCA reads a CA written by Write.
func LoadCA(certFile, keyFile string) (*CA, error) {
	cb, err := os.ReadFile(certFile)
	if err != nil {
		return nil, fmt.Errorf("replication: ca: %w", err)
	}
	kb, err := os.ReadFile(keyFile)
	if err != nil {
		return nil, fmt.Errorf("replication: ca: %w", err)
	}
	cp, _ := pem.Decode(cb)
	kp, _ := pem.Decode(kb)
	if cp == nil || kp == nil {
		return nil, errors.New("replication: ca: files are not PEM")
	}
	cert, err := x509.ParseCertificate(cp.Bytes)
	if err != nil {
		return nil, fmt.Errorf("replication: ca: %w", err)
	}
	key, err := x509.ParseECPrivateKey(kp.Bytes)
	if err != nil {
		return nil, fmt.Errorf("replication: ca: %w", err)
	}
	return &CA{Cert: cert, Key: key}, nil
}
