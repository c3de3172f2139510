package replication

import (
	"crypto/ed25519"
	"fmt"

	fnote "github.com/transparency-dev/formats/note"
	"golang.org/x/mod/sumdb/note"

	"github.com/healthanchor/healthanchor/anchor"
)

// NoteKeys returns the signed-note key strings of an agency key named
// name (its member id): skey for signing, vkey for verifying
// (golang.org/x/mod/sumdb/note formats). A member's checkpoint
// signatures and cosignatures are made with its chain key, so its
// genesis public key is all an auditor needs. The keys are anchor's
// (docs/replication.md), the ones proof bundles are checked with.
func NoteKeys(name string, key ed25519.PrivateKey) (skey, vkey string) {
	return anchor.NoteSignerKey(name, key), anchor.NoteVerifierKey(name, key.Public().(ed25519.PublicKey))
}

// NoteVerifierKey is the vkey of a member's public key.
func NoteVerifierKey(name string, pub ed25519.PublicKey) string {
	return anchor.NoteVerifierKey(name, pub)
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
