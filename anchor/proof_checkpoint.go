package anchor

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/transparency-dev/formats/log"
	fnote "github.com/transparency-dev/formats/note"
	"golang.org/x/mod/sumdb/note"
)

// CheckpointBody is the C2SP tlog-checkpoint text of the chain's
// manifest log at size leaves with root rootHex: origin (the chain id),
// size, base64 root, each on its own line.
func CheckpointBody(chainID string, size int64, rootHex string) (string, error) {
	root, err := hex.DecodeString(rootHex)
	if err != nil || len(root) != 32 {
		return "", fmt.Errorf("anchor: checkpoint: log root %q is not 32 bytes of hex", rootHex)
	}
	return string(log.Checkpoint{Origin: chainID, Size: uint64(size), Hash: root}.Marshal()), nil
}

// SignCheckpointNote signs a checkpoint body as member name with its agency
// key (an Ed25519 signed note, golang.org/x/mod/sumdb/note) and returns
// the signed note.
func SignCheckpointNote(body, name string, key ed25519.PrivateKey) (string, error) {
	s, err := note.NewSigner(NoteSignerKey(name, key))
	if err != nil {
		return "", fmt.Errorf("anchor: checkpoint signer %q: %w", name, err)
	}
	signed, err := note.Sign(&note.Note{Text: body}, s)
	if err != nil {
		return "", fmt.Errorf("anchor: sign checkpoint: %w", err)
	}
	return string(signed), nil
}

// noteAlgEd25519 is the signed-note algorithm byte of an Ed25519 key.
const noteAlgEd25519 = 0x01

// NoteVerifierKey is the signed-note verifier key (vkey) of a member:
// "id+keyhash+base64(0x01 || public key)", keyhash being the first 4
// bytes of SHA-256(id || LF || 0x01 || public key), in hex.
func NoteVerifierKey(id string, pub ed25519.PublicKey) string {
	k := append([]byte{noteAlgEd25519}, pub...)
	return fmt.Sprintf("%s+%08x+%s", id, noteKeyHash(id, k), base64.StdEncoding.EncodeToString(k))
}

// NoteSignerKey is the signed-note signer key (skey) of a member's agency
// key: "PRIVATE+KEY+id+keyhash+base64(0x01 || seed)", as
// golang.org/x/mod/sumdb/note reads it.
func NoteSignerKey(id string, key ed25519.PrivateKey) string {
	pub := append([]byte{noteAlgEd25519}, key.Public().(ed25519.PublicKey)...)
	return fmt.Sprintf("PRIVATE+KEY+%s+%08x+%s", id, noteKeyHash(id, pub),
		base64.StdEncoding.EncodeToString(append([]byte{noteAlgEd25519}, key.Seed()...)))
}

func noteKeyHash(name string, key []byte) uint32 {
	h := sha256.New()
	h.Write([]byte(name))
	h.Write([]byte("\n"))
	h.Write(key)
	return binary.BigEndian.Uint32(h.Sum(nil)[:4])
}

// checkpointVerifiers returns, for every member, the verifier of its
// checkpoint signatures (Ed25519 signed note) and of its cosignatures
// (C2SP tlog-cosignature v1). A member whose id is not a valid note key
// name cannot sign checkpoints and gets none.
func checkpointVerifiers(members []Member) note.Verifiers {
	var vs []note.Verifier
	for _, m := range members {
		pub, err := DecodePublicKey(m.PublicKey)
		if err != nil {
			continue
		}
		vkey := NoteVerifierKey(m.ID, pub)
		v, err := note.NewVerifier(vkey)
		if err != nil {
			continue
		}
		cv, err := fnote.NewVerifierForCosignatureV1(vkey)
		if err != nil {
			continue
		}
		vs = append(vs, v, cv)
	}
	return note.VerifierList(vs...)
}

// CheckedCheckpoint is a checkpoint whose signatures were checked.
type CheckedCheckpoint struct {
	Size    int64
	Root    []byte
	Signers []string // distinct members with a valid signature or cosignature, sorted
}

// OpenCheckpoint checks a signed checkpoint note of chain chainID against
// members: its text is a checkpoint of that origin, and it returns the
// distinct members with a valid signature or cosignature on it.
// Signatures by unknown keys are ignored; a member's signature that does
// not verify fails the note.
func OpenCheckpoint(text, chainID string, members []Member) (CheckedCheckpoint, error) {
	n, err := note.Open([]byte(text), checkpointVerifiers(members))
	var unverified *note.UnverifiedNoteError
	switch {
	case errors.As(err, &unverified):
		return CheckedCheckpoint{}, errors.New("anchor: checkpoint: no current member signed it")
	case err != nil:
		return CheckedCheckpoint{}, fmt.Errorf("anchor: checkpoint: %w", err)
	}
	var cp log.Checkpoint
	if rest, err := cp.Unmarshal([]byte(n.Text)); err != nil {
		return CheckedCheckpoint{}, fmt.Errorf("anchor: checkpoint: %w", err)
	} else if len(rest) != 0 {
		return CheckedCheckpoint{}, errors.New("anchor: checkpoint: extension lines are not used by this chain")
	}
	if cp.Origin != chainID {
		return CheckedCheckpoint{}, fmt.Errorf("anchor: checkpoint: origin %q, want the chain id %q", cp.Origin, chainID)
	}
	if cp.Size > 1<<62 || len(cp.Hash) != 32 {
		return CheckedCheckpoint{}, errors.New("anchor: checkpoint: size or root out of range")
	}
	seen := map[string]bool{}
	out := CheckedCheckpoint{Size: int64(cp.Size), Root: cp.Hash}
	if err := checkNoteSigs(text); err != nil {
		return CheckedCheckpoint{}, err
	}
	for _, s := range n.Sigs {
		if !seen[s.Name] {
			seen[s.Name] = true
			out.Signers = append(out.Signers, s.Name)
		}
	}
	sort.Strings(out.Signers)
	return out, nil
}

// checkNoteSigs refuses what the note format lets through but a signer
// never writes: the same key's signature line twice (note.Open keeps one
// and drops the other silently), and a signature spelled in
// non-canonical base64 (unused low bits set), which decodes to the same
// bytes. Either gives the note other bytes than the ones its signers
// wrote.
func checkNoteSigs(text string) error {
	i := strings.LastIndex(text, "\n\n")
	if i < 0 {
		return nil // note.Open has refused it already
	}
	seen := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSuffix(text[i+2:], "\n"), "\n") {
		name, b64, ok := strings.Cut(strings.TrimPrefix(line, "— "), " ")
		if !ok {
			continue
		}
		sig, err := base64.StdEncoding.Strict().DecodeString(b64)
		if err != nil || len(sig) < 4 {
			return fmt.Errorf("anchor: checkpoint: %s's signature is not canonical base64", name)
		}
		key := name + "+" + string(sig[:4]) // the signer's name and key hash
		if seen[key] {
			return fmt.Errorf("anchor: checkpoint: %s's signature appears twice", name)
		}
		seen[key] = true
	}
	return nil
}

// missingSigners lists the members that did not sign, for messages.
func missingSigners(members []Member, signers []string) string {
	signed := map[string]bool{}
	for _, s := range signers {
		signed[s] = true
	}
	var out []string
	for _, m := range members {
		if !signed[m.ID] {
			out = append(out, m.ID)
		}
	}
	return strings.Join(out, ", ")
}
