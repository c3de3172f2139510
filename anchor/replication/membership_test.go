package replication

import (
	"crypto/ed25519"
	"testing"

	"github.com/healthanchor/healthanchor/anchor"
)

// A committed membership block changes the state machine's members and
// signals the Raft configuration and TLS allow-list to follow.
func TestFSMAppliesMembershipBlock(t *testing.T) {
	tc := newTestChain(t, nil, nil)
	f := newTestFSM(t, tc.chain)
	<-f.membersChanged // the initial load
	tc.keys["c"] = anchor.GenerateSigningKey()
	ch := anchor.MembershipChange{Version: anchor.MembershipVersion, ChainID: tc.chain.ChainID(), Remove: []string{"b"},
		Add: []anchor.Member{{ID: "c", Name: "c", PublicKey: anchor.EncodePublicKey(tc.keys["c"].Public().(ed25519.PublicKey)), RaftAddr: "127.0.0.1:9"}}}
	for _, id := range []string{"a", "b"} {
		if err := ch.Sign(id, tc.keys[id]); err != nil {
			t.Fatal(err)
		}
	}
	n := &Node{chain: tc.chain, agency: "a", key: tc.keys["a"], fsm: f}
	st := f.state()
	b := anchor.Block{Version: anchor.BlockVersion, ChainID: tc.chain.ChainID(), Height: 1, PrevHash: st.HeadHash,
		Time: epoch.Format("2006-01-02T15:04:05Z"), Proposer: "a", Manifests: []anchor.Manifest{},
		LogSize: 0, LogRoot: st.Head.LogRoot, Membership: &ch}
	if err := b.Sign(tc.keys["a"]); err != nil {
		t.Fatal(err)
	}
	if res := f.Apply(logOf(t, 1, b)).(applyResult); res.Err != nil {
		t.Fatal(res.Err)
	}
	select {
	case <-f.membersChanged:
	default:
		t.Fatal("no membership signal after a membership block")
	}
	if !n.isMember("c") || n.isMember("b") {
		t.Fatalf("members after the block: %+v", f.memberList())
	}
	// b's manifests are refused from now on; c's are accepted.
	if res := f.Apply(logOf(t, 2, nextBlock(t, f, "a", tc.keys["a"], tc.manifest(t, "b", 1)))).(applyResult); res.Err == nil {
		t.Fatal("a removed member's manifest was applied")
	}
	if res := f.Apply(logOf(t, 3, nextBlock(t, f, "c", tc.keys["c"], tc.manifest(t, "c", 1)))).(applyResult); res.Err != nil {
		t.Fatalf("the added member's block: %v", res.Err)
	}
}
