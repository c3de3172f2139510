package replication

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
)

// NewNodeKey makes a node's TLS private key (ECDSA P-256) and returns it
// with its PEM form.
func NewNodeKey() (*ecdsa.PrivateKey, []byte, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("replication: node key: %w", err)
	}
	der, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return nil, nil, fmt.Errorf("replication: node key: %w", err)
	}
	return key, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}), nil
}

// NewCSR returns a PKCS#10 certificate request in PEM for node id (its
// Common Name) and hosts (IP addresses or DNS names, as subject
// alternative names), signed by key: what an agency sends the consortium
// CA, which answers with SignCSR.
func NewCSR(id string, hosts []string, key *ecdsa.PrivateKey) ([]byte, error) {
	tmpl := &x509.CertificateRequest{Subject: pkix.Name{CommonName: id, Organization: []string{"healthanchor node"}}}
	tmpl.IPAddresses, tmpl.DNSNames = splitHosts(hosts)
	der, err := x509.CreateCertificateRequest(rand.Reader, tmpl, key)
	if err != nil {
		return nil, fmt.Errorf("replication: certificate request for %s: %w", id, err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der}), nil
}

// ParseCSR reads a PEM certificate request and checks its signature.
func ParseCSR(csrPEM []byte) (*x509.CertificateRequest, error) {
	p, _ := pem.Decode(csrPEM)
	if p == nil || p.Type != "CERTIFICATE REQUEST" {
		return nil, errors.New("replication: not a PEM certificate request")
	}
	csr, err := x509.ParseCertificateRequest(p.Bytes)
	if err != nil {
		return nil, fmt.Errorf("replication: certificate request: %w", err)
	}
	if err := csr.CheckSignature(); err != nil {
		return nil, fmt.Errorf("replication: certificate request: %w", err)
	}
	return csr, nil
}

// SignCSR issues the node certificate a request asks for: its Common
// Name as node id and its IP and DNS subject alternative names as hosts,
// with the same template and validity as Issue. It returns the PEM cert.
func (ca *CA) SignCSR(csr *x509.CertificateRequest) ([]byte, error) {
	var hosts []string
	for _, ip := range csr.IPAddresses {
		hosts = append(hosts, ip.String())
	}
	hosts = append(hosts, csr.DNSNames...)
	return ca.sign(csr.Subject.CommonName, hosts, csr.PublicKey)
}
