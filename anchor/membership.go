package anchor

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"sort"
)

// DomainMembership prefixes the bytes each member signs to approve a
// membership change (docs/format.md, "Membership block").
const DomainMembership = "healthanchor/membership/v1"

// MembershipVersion is the version of membership change this code writes
// and accepts.
const MembershipVersion = 1

// MembershipChange adds and removes member agencies. It applies to the
// member set of one epoch (the number of membership changes on the chain
// before it), so that an approved change can never be replayed later. A
// member id both removed and added is replaced: that is how a member's
// key or addresses change. It takes effect once a block carrying it is
// on the chain, and needs the signatures of a strict majority of the
// members of its epoch.
type MembershipChange struct {
	Version    int                   `json:"v"`
	ChainID    string                `json:"chain_id"`
	Epoch      int64                 `json:"epoch"`
	Remove     []string              `json:"remove"`
	Add        []Member              `json:"add"`
	Signatures []MembershipSignature `json:"signatures,omitempty"`
}

// MembershipSignature is one member's approval of a change.
type MembershipSignature struct {
	Member    string `json:"member"`
	Signature string `json:"signature"` // base64 Ed25519 over DomainMembership || LF || JCS(change without signatures)
}

func (ch MembershipChange) unsigned() ([]byte, error) {
	ch.Signatures = nil
	if ch.Remove == nil {
		ch.Remove = []string{}
	}
	if ch.Add == nil {
		ch.Add = []Member{}
	}
	return Canonical(ch)
}

// Sign adds (or replaces) member's signature, keeping signatures sorted
// by member id.
func (ch *MembershipChange) Sign(member string, key ed25519.PrivateKey) error {
	c, err := ch.unsigned()
	if err != nil {
		return err
	}
	sig := MembershipSignature{Member: member, Signature: sign(key, DomainMembership, c)}
	out := []MembershipSignature{}
	for _, s := range ch.Signatures {
		if s.Member != member {
			out = append(out, s)
		}
	}
	out = append(out, sig)
	sort.Slice(out, func(i, j int) bool { return out[i].Member < out[j].Member })
	ch.Signatures = out
	return nil
}

// ErrNoMajority means a membership change is not yet signed by a strict
// majority of the current members: collect more signatures.
var ErrNoMajority = errors.New("membership change lacks a majority of the current members' signatures")

// Apply checks ch against the members of its epoch and returns the new
// member set: the current members in order without the removed ones,
// then the added ones in the change's order. Every signature must be a
// current member's, valid, listed once, in increasing member id order,
// and there must be more than half as many as current members.
func (ch MembershipChange) Apply(chainID string, epoch int64, current []Member) ([]Member, error) {
	fail := func(format string, args ...any) ([]Member, error) {
		return nil, fmt.Errorf("anchor: membership change: "+format, args...)
	}
	switch {
	case ch.Version != MembershipVersion:
		return fail("version %d, want %d", ch.Version, MembershipVersion)
	case ch.ChainID != chainID:
		return fail("chain id %q, want %q", ch.ChainID, chainID)
	case ch.Epoch != epoch:
		return fail("epoch %d, but the chain is at membership epoch %d", ch.Epoch, epoch)
	case len(ch.Remove) == 0 && len(ch.Add) == 0:
		return fail("changes nothing")
	}
	keys, err := memberKeys(current)
	if err != nil {
		return nil, err
	}
	c, err := ch.unsigned()
	if err != nil {
		return nil, err
	}
	prev := ""
	for i, s := range ch.Signatures {
		if i > 0 && s.Member <= prev {
			return fail("signatures must be sorted by member id, each once (%q after %q)", s.Member, prev)
		}
		prev = s.Member
		pub, ok := keys[s.Member]
		if !ok {
			return fail("signature by %q, who is not a member", s.Member)
		}
		if err := verifySig(pub, DomainMembership, c, s.Signature); err != nil {
			return fail("member %s: %v", s.Member, err)
		}
	}
	if 2*len(ch.Signatures) <= len(current) {
		return nil, fmt.Errorf("anchor: membership change: %d of %d members signed: %w", len(ch.Signatures), len(current), ErrNoMajority)
	}
	removed := map[string]bool{}
	for _, id := range ch.Remove {
		if _, ok := keys[id]; !ok || removed[id] {
			return fail("removes %q, which is not a member (or is listed twice)", id)
		}
		removed[id] = true
	}
	var next []Member
	for _, m := range current {
		if !removed[m.ID] {
			next = append(next, m)
		}
	}
	next = append(next, ch.Add...)
	if len(next) == 0 {
		return fail("would leave the chain without members")
	}
	if _, err := memberKeys(next); err != nil {
		return nil, err
	}
	return next, nil
}

// memberKeys maps member ids to their public keys, refusing empty or
// repeated ids and malformed keys.
func memberKeys(members []Member) (map[string]ed25519.PublicKey, error) {
	if len(members) == 0 {
		return nil, errors.New("anchor: no members")
	}
	m := map[string]ed25519.PublicKey{}
	for _, mem := range members {
		pub, err := DecodePublicKey(mem.PublicKey)
		if err != nil {
			return nil, fmt.Errorf("anchor: member %q: %w", mem.ID, err)
		}
		if _, dup := m[mem.ID]; dup || mem.ID == "" {
			return nil, fmt.Errorf("anchor: member id %q is empty or repeated", mem.ID)
		}
		m[mem.ID] = pub
	}
	return m, nil
}
