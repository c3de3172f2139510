package replication

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"

	fnote "github.com/transparency-dev/formats/note"
	"golang.org/x/mod/sumdb/note"
)

// algEd25519 is the signed-note algorithm byte for Ed25519.
const algEd25519 = 0x01

// NoteKeys returns the signed-note key strings of an agency key named
// name (its member id): skey for signing, vkey for verifying
// (golang.org/x/mod/sumdb/note formats). A member's checkpoint
// signatures and cosignatures are made with its chain key, so its
// genesis public key is all an auditor needs.
func NoteKeys(name string, key ed25519.PrivateKey) (skey, vkey string) {
	pub := key.Public().(ed25519.PublicKey)
	vkey = NoteVerifierKey(name, pub)
	hash := noteKeyHash(name, append([]byte{algEd25519}, pub...))
	skey = fmt.Sprintf("PRIVATE+KEY+%s+%08x+%s", name, hash, base64.StdEncoding.EncodeToString(append([]byte{algEd25519}, key.Seed()...)))
	return skey, vkey
}

// NoteVerifierKey is the vkey of a member's public key.
func NoteVerifierKey(name string, pub ed25519.PublicKey) string {
	k := append([]byte{algEd25519}, pub...)
	return fmt.Sprintf("%s+%08x+%s", name, noteKeyHash(name, k), base64.StdEncoding.EncodeToString(k))
}

func noteKeyHash(name string, key []byte) uint32 {
	h := sha256.New()
	h.Write([]byte(name))
	h.Write([]byte("\n"))
	h.Write(key)
	return binary.BigEndian.Uint32(h.Sum(nil)[:4])
}

// memberVerifiers returns, for every member, a verifier of its checkpoint
// signatures (Ed25519 signed note) and of its cosignatures (C2SP
// tlog-cosignature v1).
func memberVerifiers(members map[string]ed25519.PublicKey) (note.Verifiers, error) {
	var vs []note.Verifier
	for id, pub := range members {
		vkey := NoteVerifierKey(id, pub)
		v, err := note.NewVerifier(vkey)
		if err != nil {
			return nil, fmt.Errorf("replication: note key of %s: %w", id, err)
		}
		cv, err := fnote.NewVerifierForCosignatureV1(vkey)
		if err != nil {
			return nil, fmt.Errorf("replication: cosignature key of %s: %w", id, err)
		}
		vs = append(vs, v, cv)
	}
	return note.VerifierList(vs...), nil
}
