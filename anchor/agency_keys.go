package anchor

import (
	"crypto/ed25519"
	"fmt"
	"os"
	"path/filepath"
)

// Agency key file names in a key folder, as `healthanchor keygen`,
// `demo` and `cluster init` write them.
const (
	AgencyKeyFile = "agency.key"
	SaltKeyFile   = "salt.key"
)

// NewAgencyKeys creates an agency's secrets in dir (made with mode 0700
// when absent): a new Ed25519 signing key as AgencyKeyFile and a new salt
// key as SaltKeyFile, both mode 0600. It refuses to overwrite either file,
// naming it, and writes nothing then. It returns the signing key.
func NewAgencyKeys(dir string) (ed25519.PrivateKey, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("anchor: key folder: %w", err)
	}
	keyPath, saltPath := filepath.Join(dir, AgencyKeyFile), filepath.Join(dir, SaltKeyFile)
	for _, p := range []string{keyPath, saltPath} {
		if _, err := os.Lstat(p); err == nil {
			return nil, fmt.Errorf("anchor: %s already exists: refusing to overwrite a key (move it away first)", p)
		}
	}
	key := GenerateSigningKey()
	if err := WriteSigningKey(keyPath, key); err != nil {
		return nil, err
	}
	if err := WriteNewSaltKey(saltPath); err != nil {
		return nil, err
	}
	return key, nil
}

// PublicKeyText is the text form of key's public half, as the genesis
// names it.
func PublicKeyText(key ed25519.PrivateKey) string {
	return EncodePublicKey(key.Public().(ed25519.PublicKey))
}
