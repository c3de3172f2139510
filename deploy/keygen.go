package deploy

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/healthanchor/healthanchor/anchor"
	"github.com/healthanchor/healthanchor/anchor/replication"

	"github.com/healthanchor/healthanchor/internal/fsutil"
)

// TLS file names in an agency's key folder: the node's private key and
// certificate request written by Keygen, then the certificate and the
// consortium CA certificate the CA holder sends back.
const (
	TLSKeyFile  = "tls.key"
	TLSCSRFile  = "tls.csr"
	TLSCertFile = "tls.crt"
	CACertFile  = "ca.crt"
)

// ErrExists means a file Keygen or Init would write is already there:
// nothing was written; move the file away or choose another folder.
var ErrExists = errors.New("already exists")

// Keys is what Keygen wrote.
type Keys struct {
	PublicKey string // the agency's Ed25519 public key, as the genesis names it
	AgencyKey string // paths of the files written
	SaltKey   string
	TLSKey    string
	CSR       string
}

// Keygen creates agency's secrets in dir (mode 0700): the Ed25519
// signing key, the salt key, a TLS private key and a PKCS#10 request
// (Common Name agency, subject alternative names tlsHosts) for the
// consortium CA, each mode 0600. It refuses, naming the file, when any of
// them exists, and then writes nothing.
func Keygen(dir, agency string, tlsHosts []string) (Keys, error) {
	if agency == "" {
		return Keys{}, errors.New("deploy: keygen: empty agency id")
	}
	k := Keys{
		AgencyKey: filepath.Join(dir, anchor.AgencyKeyFile), SaltKey: filepath.Join(dir, anchor.SaltKeyFile),
		TLSKey: filepath.Join(dir, TLSKeyFile), CSR: filepath.Join(dir, TLSCSRFile),
	}
	for _, p := range []string{k.AgencyKey, k.SaltKey, k.TLSKey, k.CSR} {
		if _, err := os.Lstat(p); err == nil {
			return Keys{}, fmt.Errorf("deploy: keygen: %s %w: refusing to overwrite a key (move it away first)", p, ErrExists)
		}
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return Keys{}, fmt.Errorf("deploy: keygen: %w", err)
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return Keys{}, fmt.Errorf("deploy: keygen: %w", err)
	}
	tlsKey, tlsKeyPEM, err := replication.NewNodeKey()
	if err != nil {
		return Keys{}, err
	}
	csr, err := replication.NewCSR(agency, tlsHosts, tlsKey)
	if err != nil {
		return Keys{}, err
	}
	key, err := anchor.NewAgencyKeys(dir)
	if err != nil {
		return Keys{}, err
	}
	k.PublicKey = anchor.PublicKeyText(key)
	for _, f := range []struct {
		path string
		data []byte
	}{{k.TLSKey, tlsKeyPEM}, {k.CSR, csr}} {
		if err := fsutil.WriteNew(f.path, f.data, 0o600); err != nil {
			return Keys{}, fmt.Errorf("deploy: keygen: %w", err)
		}
	}
	return k, nil
}
