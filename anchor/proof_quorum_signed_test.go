package anchor

import (
	"context"
	"strings"
	"testing"
)

// TestQuorumSigned checks the rule a fetcher uses to pick its checkpoint
// is the one VerifyProof applies: one signer of three is not a quorum,
// two are, three are when the genesis asks for all of them and two are
// not; an altered note does not open.
func TestQuorumSigned(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		quorum  int
		signers []string
		want    bool
	}{
		{0, []string{"a"}, false},
		{0, []string{"a", "b"}, true},
		{3, []string{"a", "b"}, false},
		{3, []string{"a", "b", "c"}, true},
	} {
		pc := openProofChain(t, newGenesis(t, c.quorum, "a", "b", "c"))
		pc.batch(t, "a", "a", 2)
		note := pc.checkpoint(t, c.signers[0], c.signers[1:]...)
		cp, ok, err := pc.QuorumSigned(ctx, note)
		if err != nil {
			t.Fatal(err)
		}
		if ok != c.want || len(cp.Signers) != len(c.signers) {
			t.Errorf("quorum %d, signers %v: QuorumSigned = %v with %v, want %v", c.quorum, c.signers, ok, cp.Signers, c.want)
		}
	}
	pc := openProofChain(t, newGenesis(t, 0, "a", "b", "c"))
	pc.batch(t, "a", "a", 1)
	note := strings.Replace(pc.checkpoint(t, "a", "b"), "\n1\n", "\n2\n", 1) // another size, same signatures
	if _, ok, err := pc.QuorumSigned(ctx, note); err == nil || ok {
		t.Errorf("an altered note: ok %v, err %v; want an error", ok, err)
	}
}
