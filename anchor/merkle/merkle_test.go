package merkle

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"testing"
)

// refRoot is RFC 6962's recursive definition, written out, as the oracle.
func refRoot(leaves [][]byte) []byte {
	switch len(leaves) {
	case 0:
		s := sha256.Sum256(nil)
		return s[:]
	case 1:
		return leaves[0]
	}
	k := 1
	for k*2 < len(leaves) {
		k *= 2
	}
	h := sha256.New()
	h.Write([]byte{1})
	h.Write(refRoot(leaves[:k]))
	h.Write(refRoot(leaves[k:]))
	return h.Sum(nil)
}

func leaves(n int) [][]byte {
	out := make([][]byte, n)
	for i := range out {
		var b [8]byte
		binary.BigEndian.PutUint64(b[:], uint64(i))
		out[i] = HashLeaf(b[:])
	}
	return out
}

// TestRootMatchesDefinition checks the streaming root against the
// recursive definition for every size up to 70, and proofs for each leaf.
func TestRootMatchesDefinition(t *testing.T) {
	all := leaves(70)
	for n := 0; n <= len(all); n++ {
		got := RootOf(all[:n])
		want := refRoot(all[:n])
		if hex.EncodeToString(got) != hex.EncodeToString(want) {
			t.Fatalf("root of %d leaves = %x, want %x", n, got, want)
		}
		for i := 0; i < n; i++ {
			p, err := InclusionProof(uint64(i), uint64(n), all)
			if err != nil {
				t.Fatal(err)
			}
			if err := VerifyInclusion(uint64(i), uint64(n), all[i], p, got); err != nil {
				t.Fatalf("proof of leaf %d in %d: %v", i, n, err)
			}
			if n > 1 {
				if err := VerifyInclusion(uint64(i), uint64(n), all[(i+1)%n], p, got); err == nil {
					t.Fatalf("proof of leaf %d in %d accepted another leaf", i, n)
				}
			}
		}
	}
}

func TestCloneIsIndependent(t *testing.T) {
	all := leaves(10)
	a := New()
	for _, l := range all[:5] {
		a.Append(l)
	}
	b := a.Clone()
	for _, l := range all[5:] {
		b.Append(l)
	}
	if hex.EncodeToString(a.Root()) != hex.EncodeToString(RootOf(all[:5])) {
		t.Error("appending to a clone changed the original")
	}
	if hex.EncodeToString(b.Root()) != hex.EncodeToString(RootOf(all)) {
		t.Error("clone root wrong")
	}
}

// BenchmarkRoot measures appending leaf hashes to the compact range.
func BenchmarkRoot(b *testing.B) {
	all := leaves(1 << 16)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t := New()
		for _, l := range all {
			t.Append(l)
		}
		t.Root()
	}
	b.ReportMetric(float64(len(all)*b.N)/b.Elapsed().Seconds(), "leaves/s")
}

// TestConsistency proves and verifies every pair of sizes up to 20 leaves,
// and checks that a changed proof or root fails.
func TestConsistency(t *testing.T) {
	var leaves [][]byte
	for i := 0; i < 20; i++ {
		leaves = append(leaves, HashLeaf([]byte{byte(i)}))
	}
	for s2 := uint64(1); s2 <= 20; s2++ {
		root2 := RootOf(leaves[:s2])
		for s1 := uint64(1); s1 <= s2; s1++ {
			root1 := RootOf(leaves[:s1])
			p, err := ConsistencyProof(s1, s2, leaves)
			if err != nil {
				t.Fatal(err)
			}
			if err := VerifyConsistency(s1, s2, p, root1, root2); err != nil {
				t.Fatalf("%d -> %d: %v", s1, s2, err)
			}
			if len(p) > 0 {
				p[0] = HashLeaf([]byte("x"))
				if VerifyConsistency(s1, s2, p, root1, root2) == nil {
					t.Errorf("%d -> %d: a changed proof verified", s1, s2)
				}
			}
			if s1 < s2 && VerifyConsistency(s1, s2, p, root2, root1) == nil {
				t.Errorf("%d -> %d: swapped roots verified", s1, s2)
			}
		}
	}
	if _, err := ConsistencyProof(3, 2, leaves); err == nil {
		t.Error("a proof from a larger tree to a smaller one was made")
	}
}
