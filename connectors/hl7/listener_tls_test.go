package hl7

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/healthanchor/healthanchor/connectors"
)

// testCA issues certificates for TLS tests.
type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pem  []byte
}

func newTestCA(t *testing.T) *testCA {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"}, IsCA: true,
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	return &testCA{cert: cert, key: key, pem: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})}
}

// issue returns a certificate and key (PEM) for a server on 127.0.0.1
// or a client.
func (ca *testCA) issue(t *testing.T, serial int64) (certPEM, keyPEM []byte) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: "peer"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	kb, _ := x509.MarshalECPrivateKey(key)
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb})
}

// TestListenerMutualTLS: with client_ca_file, a sender with a
// certificate of that CA is served; one without is refused.
func TestListenerMutualTLS(t *testing.T) {
	ca := newTestCA(t)
	dir := t.TempDir()
	sc, sk := ca.issue(t, 2)
	for name, b := range map[string][]byte{"ca.pem": ca.pem, "s.pem": sc, "s.key": sk} {
		os.WriteFile(filepath.Join(dir, name), b, 0o600)
	}
	_, addr := startListener(t, connectors.Options{"tls": map[string]any{"cert_file": filepath.Join(dir, "s.pem"),
		"key_file": filepath.Join(dir, "s.key"), "client_ca_file": filepath.Join(dir, "ca.pem")}}, false)
	roots := x509.NewCertPool()
	roots.AddCert(ca.cert)
	cc, ck := ca.issue(t, 3)
	pair, err := tls.X509KeyPair(cc, ck)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := tls.Dial("tcp", addr, &tls.Config{RootCAs: roots, Certificates: []tls.Certificate{pair}})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	cl := &mllpClient{conn: conn, r: bufio.NewReader(conn)}
	if ack, err := cl.send(adtMsg("HOSP", "T1")); err != nil || msa(ack) != "AA T1" {
		t.Errorf("with a client certificate: %q, %v", ack, err)
	}
	anon, err := tls.Dial("tcp", addr, &tls.Config{RootCAs: roots})
	if err == nil {
		defer anon.Close()
		cl := &mllpClient{conn: anon, r: bufio.NewReader(anon)}
		if ack, err := cl.send(adtMsg("HOSP", "T2")); err == nil {
			t.Errorf("without a client certificate: ACK %q", ack)
		}
	}
}
