package merkle

import (
	"bytes"
	"fmt"
	"testing"
)

// TestLevelsInclusion checks every leaf's path from Levels against
// InclusionProof and against RFC 9162 verification, for sizes around
// powers of two, and that the top level is the root.
func TestLevelsInclusion(t *testing.T) {
	for size := 1; size <= 70; size++ {
		var leaves [][]byte
		for i := range size {
			leaves = append(leaves, HashLeaf([]byte(fmt.Sprint(i))))
		}
		ls := NewLevels(leaves)
		root := RootOf(leaves)
		if top := ls[len(ls)-1]; !bytes.Equal(top, root) {
			t.Fatalf("size %d: top %x, root %x", size, top, root)
		}
		for i := range size {
			got, err := ls.Inclusion(uint64(i))
			if err != nil {
				t.Fatal(err)
			}
			want, _ := InclusionProof(uint64(i), uint64(size), leaves)
			if len(got) != len(want) {
				t.Fatalf("size %d leaf %d: path of %d, want %d", size, i, len(got), len(want))
			}
			for k := range want {
				if !bytes.Equal(got[k], want[k]) {
					t.Fatalf("size %d leaf %d: node %d differs", size, i, k)
				}
			}
			if err := VerifyInclusion(uint64(i), uint64(size), leaves[i], got, root); err != nil {
				t.Fatalf("size %d leaf %d: %v", size, i, err)
			}
		}
		if _, err := ls.Inclusion(uint64(size)); err == nil {
			t.Fatalf("size %d: a path for a leaf past the end", size)
		}
	}
}
