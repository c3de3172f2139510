package deploy

import (
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/healthanchor/healthanchor/anchor"
)

// ParseMember reads a member given as comma-separated key=value pairs:
// id, name, public-key (base64, as keygen prints it), address (the
// node's peer API host:port) and raft-addr (its Raft host:port).
func ParseMember(spec string) (anchor.Member, error) {
	var m anchor.Member
	fields := map[string]*string{"id": &m.ID, "name": &m.Name, "public-key": &m.PublicKey, "address": &m.Address, "raft-addr": &m.RaftAddr}
	for _, kv := range strings.Split(spec, ",") {
		k, v, ok := strings.Cut(kv, "=")
		dst, known := fields[strings.TrimSpace(k)]
		if !ok || !known {
			return anchor.Member{}, fmt.Errorf("deploy: member %q: %q is not key=value with a key among id, name, public-key, address, raft-addr", spec, kv)
		}
		*dst = strings.TrimSpace(v)
	}
	if m.ID == "" || m.PublicKey == "" {
		return anchor.Member{}, fmt.Errorf("deploy: member %q: id and public-key are required", spec)
	}
	if _, err := anchor.DecodePublicKey(m.PublicKey); err != nil {
		return anchor.Member{}, fmt.Errorf("deploy: member %s: %w", m.ID, err)
	}
	return m, nil
}

// NewGenesis builds the genesis block of chain chainID naming members,
// signed by key, which must be one of the members' keys: the format
// (docs/format.md, section 8) has the genesis signed by its proposer, a
// member. With several members every member needs address and raft-addr,
// from which each node's cluster section is written.
func NewGenesis(chainID string, members []anchor.Member, key ed25519.PrivateKey, now time.Time) (anchor.Block, error) {
	if chainID == "" {
		return anchor.Block{}, errors.New("deploy: genesis: empty chain id")
	}
	if len(members) == 0 {
		return anchor.Block{}, errors.New("deploy: genesis: no members")
	}
	proposer := ""
	for _, m := range members {
		if m.PublicKey == anchor.PublicKeyText(key) {
			proposer = m.ID
		}
		if len(members) > 1 {
			for _, a := range []struct{ name, val string }{{"address", m.Address}, {"raft-addr", m.RaftAddr}} {
				if _, _, err := net.SplitHostPort(a.val); err != nil {
					return anchor.Block{}, fmt.Errorf("deploy: genesis: member %s: %s %q is not host:port (every member of a consortium needs address and raft-addr)", m.ID, a.name, a.val)
				}
			}
		}
	}
	if proposer == "" {
		return anchor.Block{}, errors.New("deploy: genesis: the signing key is no member's key: sign with the agency key of one of the members")
	}
	g, err := anchor.NewGenesis(chainID, members, proposer, key, now)
	if err != nil {
		return anchor.Block{}, fmt.Errorf("deploy: genesis: %w", err)
	}
	return g, nil
}

// EncodeGenesis is the genesis.json form: indented JSON, a final newline.
func EncodeGenesis(g anchor.Block) ([]byte, error) {
	raw, err := json.MarshalIndent(g, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("deploy: genesis: %w", err)
	}
	return append(raw, '\n'), nil
}
