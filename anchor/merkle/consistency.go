package merkle

import (
	"fmt"

	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
)

// ConsistencyProof returns the RFC 9162 (section 2.1.4) consistency proof
// from the tree of the first size1 leaves to the tree of the first size2,
// given all the leaf hashes (leafHashes[i] for i < size2).
func ConsistencyProof(size1, size2 uint64, leafHashes [][]byte) ([][]byte, error) {
	if size1 > size2 || size2 > uint64(len(leafHashes)) {
		return nil, fmt.Errorf("merkle: no consistency proof from %d to %d leaves (%d known)", size1, size2, len(leafHashes))
	}
	nodes, err := proof.Consistency(size1, size2)
	if err != nil {
		return nil, fmt.Errorf("merkle: consistency %d/%d: %w", size1, size2, err)
	}
	hashes := make([][]byte, len(nodes.IDs))
	for i, id := range nodes.IDs {
		begin, end := id.Coverage()
		hashes[i] = RootOf(leafHashes[begin:end])
	}
	return nodes.Rehash(hashes, factory.Hash)
}

// VerifyConsistency checks that the tree of size2 leaves with root2
// extends the tree of size1 leaves with root1, using a consistency proof.
func VerifyConsistency(size1, size2 uint64, path [][]byte, root1, root2 []byte) error {
	return proof.VerifyConsistency(rfc6962.DefaultHasher, size1, size2, path, root1, root2)
}
