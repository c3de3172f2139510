// Package merkle computes RFC 6962 (RFC 9162) Merkle tree roots over a
// stream of leaf hashes in O(log n) memory, and inclusion proofs, using
// transparency-dev/merkle's compact ranges.
package merkle

import (
	"crypto/sha256"
	"fmt"

	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
)

var factory = compact.RangeFactory{Hash: hashChildren}

// hashChildren is rfc6962.DefaultHasher.HashChildren,
// SHA-256(0x01 || left || right), without a hasher allocation for the
// usual 32-byte children: a tree hashes one node per leaf.
func hashChildren(left, right []byte) []byte {
	if len(left) != sha256.Size || len(right) != sha256.Size {
		return rfc6962.DefaultHasher.HashChildren(left, right)
	}
	var buf [1 + 2*sha256.Size]byte
	buf[0] = rfc6962.RFC6962NodeHashPrefix
	copy(buf[1:], left)
	copy(buf[1+sha256.Size:], right)
	sum := sha256.Sum256(buf[:])
	return sum[:]
}

// Tree accumulates leaf hashes in order and yields the root of the tree
// over all of them. The zero value is not ready; use New.
type Tree struct {
	r *compact.Range
}

// New returns an empty tree.
func New() *Tree { return &Tree{r: factory.NewEmptyRange(0)} }

// Size is the number of leaves appended.
func (t *Tree) Size() uint64 { return t.r.End() }

// Append adds the next leaf hash (SHA-256(0x00 || leaf)).
func (t *Tree) Append(leafHash []byte) error {
	if err := t.r.Append(leafHash, nil); err != nil {
		return fmt.Errorf("merkle: leaf %d: %w", t.r.End(), err)
	}
	return nil
}

// Root returns the Merkle Tree Hash of the leaves so far; for no leaves it
// is SHA-256 of the empty string.
func (t *Tree) Root() []byte {
	if t.r.End() == 0 {
		return rfc6962.DefaultHasher.EmptyRoot()
	}
	root, err := t.r.GetRootHash(nil)
	if err != nil {
		// A range starting at 0 always has a root; this cannot happen.
		panic(fmt.Sprintf("merkle: root of %d leaves: %v", t.r.End(), err))
	}
	return root
}

// HashLeaf returns SHA-256(0x00 || leaf).
func HashLeaf(leaf []byte) []byte { return rfc6962.DefaultHasher.HashLeaf(leaf) }

// RootOf returns the root over the given leaf hashes.
func RootOf(leafHashes [][]byte) []byte {
	t := New()
	for _, h := range leafHashes {
		_ = t.Append(h) // cannot fail on a range starting at 0
	}
	return t.Root()
}

// InclusionProof returns the audit path of leaf index in a tree of size
// leaves, given all the leaf hashes (leafHashes[i] for i < size).
func InclusionProof(index, size uint64, leafHashes [][]byte) ([][]byte, error) {
	if index >= size || size > uint64(len(leafHashes)) {
		return nil, fmt.Errorf("merkle: leaf %d not in a tree of %d", index, size)
	}
	nodes, err := proof.Inclusion(index, size)
	if err != nil {
		return nil, fmt.Errorf("merkle: inclusion %d/%d: %w", index, size, err)
	}
	hashes := make([][]byte, len(nodes.IDs))
	for i, id := range nodes.IDs {
		begin, end := id.Coverage()
		hashes[i] = RootOf(leafHashes[begin:end])
	}
	return nodes.Rehash(hashes, factory.Hash)
}

// VerifyInclusion checks that leafHash is leaf index of the tree of size
// leaves with the given root.
func VerifyInclusion(index, size uint64, leafHash []byte, path [][]byte, root []byte) error {
	return proof.VerifyInclusion(rfc6962.DefaultHasher, index, size, leafHash, path, root)
}

// Clone returns an independent copy of the tree.
func (t *Tree) Clone() *Tree {
	hashes := t.r.Hashes()
	cp := make([][]byte, len(hashes))
	copy(cp, hashes)
	r, err := factory.NewRange(0, t.r.End(), cp)
	if err != nil {
		panic(fmt.Sprintf("merkle: clone: %v", err)) // the hashes came from a valid range
	}
	return &Tree{r: r}
}
