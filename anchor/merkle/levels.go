package merkle

import "fmt"

// Levels holds every level of the RFC 6962 tree over a list of leaf
// hashes (level 0 the leaves, each level flat, 32 bytes a node; an odd
// last node is carried up unchanged, which is RFC 6962's split at the
// largest power of two). Built once in O(n), it gives each leaf's
// inclusion path in O(log n), where InclusionProof rehashes the tree.
type Levels [][]byte

// NewLevels builds the levels over leafHashes (32 bytes each).
func NewLevels(leafHashes [][]byte) Levels {
	level := make([]byte, 0, 32*len(leafHashes))
	for _, h := range leafHashes {
		level = append(level, h...)
	}
	ls := Levels{level}
	for len(level) > 32 {
		n := len(level) / 32
		next := make([]byte, 0, 32*((n+1)/2))
		for i := 0; i+1 < n; i += 2 {
			next = append(next, hashChildren(level[32*i:32*i+32], level[32*i+32:32*i+64])...)
		}
		if n%2 == 1 {
			next = append(next, level[32*(n-1):]...)
		}
		ls = append(ls, next)
		level = next
	}
	return ls
}

// Inclusion returns the RFC 9162 inclusion path of leaf index, the same
// as InclusionProof over the same leaves.
func (ls Levels) Inclusion(index uint64) ([][]byte, error) {
	if len(ls) == 0 || index >= uint64(len(ls[0])/32) {
		return nil, fmt.Errorf("merkle: leaf %d not in a tree of %d", index, ls.Size())
	}
	var path [][]byte
	for _, level := range ls[:len(ls)-1] {
		if sib := index ^ 1; sib < uint64(len(level)/32) {
			path = append(path, level[32*sib:32*sib+32])
		}
		index >>= 1
	}
	return path, nil
}

// Size is the number of leaves.
func (ls Levels) Size() int {
	if len(ls) == 0 {
		return 0
	}
	return len(ls[0]) / 32
}
