package anchor

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"os"
)

// Key file headers: a key file is one line, the header then the base64
// (standard, padded) of the secret.
const (
	signingKeyHeader = "healthanchor-ed25519-seed "
	saltKeyHeader    = "healthanchor-salt-key "
)

// GenerateSigningKey returns a new Ed25519 private key.
func GenerateSigningKey() ed25519.PrivateKey {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return priv
}

// WriteSigningKey writes the key's 32-byte seed to path with mode 0600,
// refusing to overwrite an existing file.
func WriteSigningKey(path string, key ed25519.PrivateKey) error {
	return writeSecret(path, signingKeyHeader, key.Seed())
}

// ReadSigningKey reads a key written by WriteSigningKey. It refuses a file
// that others can read.
func ReadSigningKey(path string) (ed25519.PrivateKey, error) {
	seed, err := readSecret(path, signingKeyHeader)
	if err != nil {
		return nil, err
	}
	if len(seed) != ed25519.SeedSize {
		return nil, fmt.Errorf("anchor: %s: seed is %d bytes, want %d", path, len(seed), ed25519.SeedSize)
	}
	return ed25519.NewKeyFromSeed(seed), nil
}

// WriteNewSaltKey writes 32 random bytes to path (mode 0600): the agency's
// secret for deriving row salts.
func WriteNewSaltKey(path string) error {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return fmt.Errorf("anchor: salt key: %w", err)
	}
	return writeSecret(path, saltKeyHeader, key)
}

// ReadSaltKey reads a salt key written by WriteNewSaltKey.
func ReadSaltKey(path string) ([]byte, error) {
	key, err := readSecret(path, saltKeyHeader)
	if err != nil {
		return nil, err
	}
	if len(key) < 16 {
		return nil, fmt.Errorf("anchor: %s: salt key is %d bytes, want at least 16", path, len(key))
	}
	return key, nil
}

// EncodePublicKey is the text form of a public key in genesis and docs.
func EncodePublicKey(pub ed25519.PublicKey) string { return base64.StdEncoding.EncodeToString(pub) }

// DecodePublicKey parses EncodePublicKey's form.
func DecodePublicKey(s string) (ed25519.PublicKey, error) {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil || len(b) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("anchor: public key %q is not base64 of %d bytes", s, ed25519.PublicKeySize)
	}
	return ed25519.PublicKey(b), nil
}

func writeSecret(path, header string, secret []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("anchor: key file: %w", err)
	}
	line := header + base64.StdEncoding.EncodeToString(secret) + "\n"
	if _, err := f.WriteString(line); err != nil {
		f.Close()
		return fmt.Errorf("anchor: key file %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("anchor: key file %s: %w", path, err)
	}
	return f.Close()
}

func readSecret(path, header string) ([]byte, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("anchor: key file: %w", err)
	}
	if st.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("anchor: key file %s has mode %v: others can read it; run chmod 600 %s", path, st.Mode().Perm(), path)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("anchor: key file: %w", err)
	}
	rest, ok := bytes.CutPrefix(bytes.TrimSpace(raw), []byte(header))
	if !ok {
		return nil, fmt.Errorf("anchor: key file %s: does not start with %q", path, header)
	}
	secret, err := base64.StdEncoding.DecodeString(string(rest))
	if err != nil {
		return nil, fmt.Errorf("anchor: key file %s: %w", path, err)
	}
	return secret, nil
}
