package replication

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
)

// peerCheck says whether a certificate's node id may talk to this node.
type peerCheck func(id string) bool

// LoadTLS builds the mutual-TLS configuration of a node from its files
// (relative to baseDir): TLS 1.3 only, the peer must present a
// certificate signed by the consortium CA whose Common Name allowed
// accepts (a member or an admitted observer). The same configuration
// serves and dials; dialers set ServerName per address.
func LoadTLS(files TLSFiles, baseDir string, allowed func(id string) bool) (*tls.Config, error) {
	path := func(p string) string {
		if filepath.IsAbs(p) {
			return p
		}
		return filepath.Join(baseDir, p)
	}
	caPEM, err := os.ReadFile(path(files.CAFile))
	if err != nil {
		return nil, fmt.Errorf("replication: tls: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(caPEM) {
		return nil, fmt.Errorf("replication: tls: %s holds no PEM certificate", files.CAFile)
	}
	cert, err := tls.LoadX509KeyPair(path(files.CertFile), path(files.KeyFile))
	if err != nil {
		return nil, fmt.Errorf("replication: tls: %w", err)
	}
	check := peerCheck(allowed)
	return &tls.Config{
		MinVersion:   tls.VersionTLS13,
		Certificates: []tls.Certificate{cert},
		RootCAs:      pool,
		ClientCAs:    pool,
		ClientAuth:   tls.RequireAndVerifyClientCert,
		VerifyConnection: func(cs tls.ConnectionState) error {
			// The chain to the CA is verified by crypto/tls before this
			// runs, on both sides; here the node id must be admitted.
			if len(cs.PeerCertificates) == 0 {
				return errors.New("replication: tls: peer sent no certificate")
			}
			id := cs.PeerCertificates[0].Subject.CommonName
			if check == nil || !check(id) {
				return fmt.Errorf("replication: tls: node %q is not a member or admitted observer of this cluster", id)
			}
			return nil
		},
	}, nil
}

// dialConfig returns cfg for dialing addr.
func dialConfig(cfg *tls.Config, addr string) *tls.Config {
	c := cfg.Clone()
	if host, _, err := net.SplitHostPort(addr); err == nil {
		c.ServerName = host
	}
	return c
}
