package anchor

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
)

// Block is one link of the chain (docs/format.md, "Block"). Height 0 is
// the genesis block, which names the chain's members.
type Block struct {
	Version   int        `json:"v"`
	ChainID   string     `json:"chain_id"`
	Height    int64      `json:"height"`
	PrevHash  string     `json:"prev_hash"` // hex; 64 zeros for genesis
	Time      string     `json:"time"`      // RFC 3339, UTC, seconds
	Proposer  string     `json:"proposer"`  // member id
	Manifests []Manifest `json:"manifests"`
	// Entries are signed statements of other kinds (entry.go); absent,
	// and so not part of the JCS, in blocks that carry none.
	Entries []Entry  `json:"entries,omitempty"`
	LogSize int64    `json:"log_size"` // log leaves (manifests, then entries) up to and including this block
	LogRoot string   `json:"log_root"` // RFC 6962 root over those leaves, hex
	Genesis *Genesis `json:"genesis,omitempty"`
	// Membership, on a membership block only, changes the member set
	// from the next block on (docs/format.md, "Membership block").
	Membership *MembershipChange `json:"membership,omitempty"`
	Signature  string            `json:"signature,omitempty"`
}

// Genesis is what the first block declares: the chain's members and,
// optionally, how many of them must sign a checkpoint for a record proof
// to hold (docs/proof.md, "Quorum").
type Genesis struct {
	Members []Member `json:"members"`
	// Quorum, when set (1 to the number of members), raises the number
	// of current members whose checkpoint signatures a proof needs above
	// the default, a strict majority. Absent (0) in genesis blocks that
	// do not set it, and so not part of their JCS.
	Quorum int `json:"quorum,omitempty"`
}

// QuorumOf is the number of distinct current members whose signatures
// make a checkpoint hold, for a chain whose genesis sets quorum (0 when
// unset) and which has members members now: a strict majority, or the
// genesis's quorum when that is larger, and never more than all members.
func QuorumOf(quorum, members int) int {
	k := members/2 + 1
	if quorum > k {
		k = quorum
	}
	if k > members {
		k = members
	}
	return k
}

// Member is an agency allowed to sign manifests and blocks.
type Member struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	PublicKey string `json:"public_key"` // base64 Ed25519 public key
	Address   string `json:"address"`    // node's peer API address, empty for a single node
	// RaftAddr is the node's Raft address, set by membership changes so
	// that every node can add the member to the Raft configuration.
	RaftAddr string `json:"raft_addr,omitempty"`
}

// BlockVersion is the version this code writes and accepts.
const BlockVersion = 1

// ZeroHash is the prev_hash of the genesis block.
const ZeroHash = "0000000000000000000000000000000000000000000000000000000000000000"

// normalised writes absent lists as empty ones, the only canonical form.
func (b Block) normalised() Block {
	if b.Manifests == nil {
		b.Manifests = []Manifest{}
	}
	if len(b.Entries) == 0 {
		b.Entries = nil
	}
	if b.Membership != nil {
		ch := *b.Membership
		if ch.Remove == nil {
			ch.Remove = []string{}
		}
		if ch.Add == nil {
			ch.Add = []Member{}
		}
		b.Membership = &ch
	}
	return b
}

func (b Block) unsigned() ([]byte, error) {
	b.Signature = ""
	return Canonical(b.normalised())
}

// Hash is the block's hash: hex SHA-256 of JCS(block without signature).
func (b Block) Hash() (string, error) {
	c, err := b.unsigned()
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(c)
	return hex.EncodeToString(sum[:]), nil
}

// Sign sets the block's signature with the proposer's key.
func (b *Block) Sign(key ed25519.PrivateKey) error {
	c, err := b.unsigned()
	if err != nil {
		return err
	}
	b.Signature = sign(key, DomainBlock, c)
	return nil
}

// VerifySignature checks the block's signature against pub.
func (b Block) VerifySignature(pub ed25519.PublicKey) error {
	c, err := b.unsigned()
	if err != nil {
		return err
	}
	if err := verifySig(pub, DomainBlock, c, b.Signature); err != nil {
		return fmt.Errorf("anchor: block %d: %w", b.Height, err)
	}
	return nil
}

// Encode returns the block's stored form: JCS of the whole block.
func (b Block) Encode() ([]byte, error) {
	return Canonical(b.normalised())
}
