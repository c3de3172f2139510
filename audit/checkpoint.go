package audit

import (
	"context"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"

	fnote "github.com/transparency-dev/formats/note"
	"golang.org/x/mod/sumdb/note"

	"github.com/healthanchor/healthanchor/anchor"
	"github.com/healthanchor/healthanchor/anchor/replication"
)

// Checkpoint is the latest checkpoint of the chain's manifest log and who
// signed it.
type Checkpoint struct {
	Present bool   `json:"present"`
	Note    string `json:"note"` // why there is none, when Present is false
	LogSize int64  `json:"log_size"`
	LogRoot string `json:"log_root"` // base64, as in the note
	// Signed is the signed note as stored, for checking it elsewhere.
	Signed    string     `json:"signed"`
	Cosigners []Cosigner `json:"cosigners"`
}

// Cosigner is one signature line of the checkpoint.
type Cosigner struct {
	Name     string `json:"name"`     // the member id
	Kind     string `json:"kind"`     // "signature" (Ed25519 note) or "cosignature" (tlog-cosignature/v1)
	Verified bool   `json:"verified"` // checked against the member's key on the chain
}

// Ed25519 note signatures carry a 4-byte key hash and 64 bytes of
// signature; tlog cosignatures add an 8-byte timestamp.
const (
	sigLen   = 4 + 64
	cosigLen = 4 + 8 + 64
)

// latestCheckpoint reads the latest checkpoint, the replica's or, on a
// single-node deployment (r nil), the one the chain store keeps (signed
// by the node alone, a quorum of one), and checks each signature against
// the chain's current members.
func latestCheckpoint(ctx context.Context, chain *anchor.Chain, r Replica) (Checkpoint, error) {
	var text string
	var err error
	if r == nil {
		text, err = chain.LatestCheckpoint(ctx)
	} else {
		text, err = r.LatestCheckpoint(ctx)
	}
	if err != nil {
		return Checkpoint{}, fmt.Errorf("audit: latest checkpoint: %w", err)
	}
	if text == "" {
		return Checkpoint{Note: "no checkpoint yet: the chain holds no manifest, or the node has not signed one", Cosigners: []Cosigner{}}, nil
	}
	cp := Checkpoint{Present: true, Signed: text, Cosigners: []Cosigner{}}
	body, sigs, _ := strings.Cut(text, "\n\n")
	if lines := strings.Split(body, "\n"); len(lines) >= 3 {
		cp.LogSize, _ = strconv.ParseInt(lines[1], 10, 64)
		cp.LogRoot = lines[2]
	}
	verified, err := verifiedNames(ctx, chain, text)
	if err != nil {
		return cp, err
	}
	for _, l := range strings.Split(sigs, "\n") {
		name, sig, ok := strings.Cut(strings.TrimPrefix(l, "— "), " ")
		if !ok {
			continue
		}
		c := Cosigner{Name: name, Kind: "signature", Verified: verified[name+" "+sig]}
		if raw, err := base64.StdEncoding.DecodeString(sig); err == nil && len(raw) == cosigLen {
			c.Kind = "cosignature"
		}
		cp.Cosigners = append(cp.Cosigners, c)
	}
	return cp, nil
}

// verifiedNames opens the note with every member's verifiers and returns
// the signature lines ("name base64") that verify.
func verifiedNames(ctx context.Context, chain *anchor.Chain, text string) (map[string]bool, error) {
	members, _, err := chain.Membership(ctx)
	if err != nil {
		return nil, fmt.Errorf("audit: members: %w", err)
	}
	var vs []note.Verifier
	for _, m := range members {
		pub, ok := chain.MemberKey(m.ID)
		if !ok {
			continue
		}
		vkey := replication.NoteVerifierKey(m.ID, pub)
		v, err := note.NewVerifier(vkey)
		if err != nil {
			return nil, fmt.Errorf("audit: note key of %s: %w", m.ID, err)
		}
		cv, err := fnote.NewVerifierForCosignatureV1(vkey)
		if err != nil {
			return nil, fmt.Errorf("audit: cosignature key of %s: %w", m.ID, err)
		}
		vs = append(vs, v, cv)
	}
	out := map[string]bool{}
	n, err := note.Open([]byte(text), note.VerifierList(vs...))
	if err != nil {
		return out, nil // no known signature verifies, or the note is malformed
	}
	for _, s := range n.Sigs {
		out[s.Name+" "+s.Base64] = true
	}
	return out, nil
}
