package anchor

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// mustFail checks that bundle p does not verify against g, with a
// Mismatch whose text holds want.
func mustFail(t *testing.T, p Proof, g Block, want string) {
	t.Helper()
	_, err := VerifyProof(p, g)
	var mm *Mismatch
	if !errors.As(err, &mm) {
		t.Fatalf("VerifyProof = %v, want a Mismatch", err)
	}
	if !strings.Contains(err.Error(), want) {
		t.Errorf("error %q does not say %q", err, want)
	}
}

// TestProofForgedByOneMember is the attack: member c of a three-member
// chain builds, alone, a side chain from the genesis holding one batch
// that was never anchored, signs its block and a checkpoint of it, and
// hands out a bundle. It must not verify, whatever c adds to the note.
func TestProofForgedByOneMember(t *testing.T) {
	g := newGenesis(t, 0, "a", "b", "c")
	side := openProofChain(t, g)
	path := side.batch(t, "c", "c", 2)
	note := side.checkpoint(t, "c", "c") // signature and cosignature, one member
	p, err := side.prove(t, path, 1, note)
	if err == nil {
		t.Fatal("Prove accepted a checkpoint signed by one member of three")
	}
	mustFail(t, p, g, "signed by 1 of 3 members")
	mustFail(t, p, g, "quorum is 2")
	mustFail(t, p, g, "a, b")
}

// TestProofQuorum checks the counting: a checkpoint signed by two of
// three members holds; one member's repeated signature fails the note
// (it is not what the member wrote, and must never count twice);
// signatures by keys that are not current members' are ignored; a
// genesis quorum of 3 needs all three.
func TestProofQuorum(t *testing.T) {
	g := newGenesis(t, 0, "a", "b", "c")
	pc := openProofChain(t, g)
	path := pc.batch(t, "b", "a", 3)
	pc.batch(t, "c", "b", 1)

	p, err := pc.prove(t, path, 2, pc.checkpoint(t, "a", "b"))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := VerifyProof(p, g)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Quorum != 2 || rep.Members != 3 || strings.Join(rep.Signers, ",") != "a,b" || rep.CheckpointSize != 2 || rep.LogSize != 1 {
		t.Errorf("report %+v", rep)
	}

	dup := pc.checkpoint(t, "a", "a", "a")
	p.Checkpoint.Note = dup
	mustFail(t, p, g, "a's signature appears twice")

	// An outsider's signature, and a signature under a member's name
	// with a key that is not that member's, are not counted.
	outsider := cosign(t, pc.checkpoint(t, "a"), "z", testKey("z"))
	impostor := cosign(t, outsider, "b", testKey("not-b"))
	p.Checkpoint.Note = impostor
	mustFail(t, p, g, "signed by 1 of 3 members")
	p.Checkpoint.Note = cosign(t, impostor, "c", pc.keys["c"])
	if rep, err := VerifyProof(p, g); err != nil || strings.Join(rep.Signers, ",") != "a,c" {
		t.Errorf("a and c signed, with noise: %+v, %v", rep, err)
	}

	// A note signed by no member at all.
	p.Checkpoint.Note = cosign(t, impostor, "y", testKey("y"))
	p.Checkpoint.Note = p.Checkpoint.Note[:strings.Index(p.Checkpoint.Note, "\n\n")+2] + "— z " + strings.Fields(outsider[strings.LastIndex(outsider, "— z"):])[2] + "\n"
	mustFail(t, p, g, "no current member signed it")

	all := newGenesis(t, 3, "a", "b", "c")
	pa := openProofChain(t, all)
	path = pa.batch(t, "a", "a", 1)
	if _, err := pa.prove(t, path, 0, pa.checkpoint(t, "a", "b")); err == nil {
		t.Error("a quorum-3 genesis accepted two signatures")
	}
	p, err = pa.prove(t, path, 0, pa.checkpoint(t, "a", "b", "c"))
	if err != nil {
		t.Fatal(err)
	}
	if rep, err := VerifyProof(p, all); err != nil || rep.Quorum != 3 {
		t.Errorf("quorum 3, all signed: %+v, %v", rep, err)
	}
}

// TestProofConsistency checks the path from the block to a later
// checkpoint: a changed consistency proof, or a quorum checkpoint of a
// log that does not extend the block's, fails.
func TestProofConsistency(t *testing.T) {
	g := newGenesis(t, 0, "a", "b", "c")
	pc := openProofChain(t, g)
	path := pc.batch(t, "a", "a", 5)
	for i := 0; i < 4; i++ {
		pc.batch(t, "b", "b", 1)
	}
	p, err := pc.prove(t, path, 3, pc.checkpoint(t, "b", "c"))
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Checkpoint.Consistency) == 0 {
		t.Fatal("no consistency proof from 1 to 5 manifests")
	}
	bad := p
	bad.Checkpoint.Consistency = append([]string(nil), p.Checkpoint.Consistency...)
	bad.Checkpoint.Consistency[len(bad.Checkpoint.Consistency)-1] = strings.Repeat("0", 64)
	mustFail(t, bad, g, "not consistent with the checkpoint")
	bad.Checkpoint.Consistency = p.Checkpoint.Consistency[1:]
	mustFail(t, bad, g, "not consistent with the checkpoint")

	// Two members sign a checkpoint of another log of 5 manifests (a
	// fork): the block's log does not lead to it.
	fork := openProofChain(t, g)
	for i := 0; i < 5; i++ {
		fork.batch(t, "c", "c", 1)
	}
	bad.Checkpoint = p.Checkpoint
	bad.Checkpoint.Note = fork.checkpoint(t, "b", "c")
	mustFail(t, bad, g, "not consistent with the checkpoint")
	if _, err := pc.prove(t, path, 3, fork.checkpoint(t, "b", "c")); err == nil || !strings.Contains(err.Error(), "disagrees with this chain") {
		t.Errorf("Prove with a forked checkpoint: %v", err)
	}
}

// TestProofAfterMembershipChange proves a record of an agency that
// joined after the genesis: the bundle carries the membership block, so
// the genesis alone verifies it; the quorum is then 3 of 4.
func TestProofAfterMembershipChange(t *testing.T) {
	ctx := context.Background()
	g := newGenesis(t, 0, "a", "b", "c")
	pc := openProofChain(t, g)
	pc.batch(t, "a", "a", 1)
	ch := MembershipChange{Version: MembershipVersion, ChainID: pc.ChainID(), Epoch: 0, Remove: []string{}, Add: []Member{testMember("d")}}
	for _, s := range []string{"a", "b"} {
		if err := ch.Sign(s, pc.keys[s]); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := pc.ProposeMembership(ctx, ch, "b", pc.keys["b"], time.Unix(5, 0)); err != nil {
		t.Fatal(err)
	}
	pc.keys["d"] = testKey("d")
	path := pc.batch(t, "d", "d", 2)
	if _, err := pc.prove(t, path, 1, pc.checkpoint(t, "d", "a")); err == nil || !strings.Contains(err.Error(), "signed by 2 of 4 members") {
		t.Errorf("2 of 4 signed: %v", err)
	}
	p, err := pc.prove(t, path, 1, pc.checkpoint(t, "d", "a", "c"))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := VerifyProof(p, g)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Quorum != 3 || rep.Members != 4 || len(p.Membership) != 1 {
		t.Errorf("report %+v, %d membership blocks", rep, len(p.Membership))
	}
	without := p
	without.Membership = nil
	mustFail(t, without, g, `agency "d" is not a member`)
	forged := p
	fc := *p.Membership[0].Membership
	fc.Signatures = fc.Signatures[:1]
	fb := p.Membership[0]
	fb.Membership = &fc
	if err := fb.Sign(pc.keys["b"]); err != nil {
		t.Fatal(err)
	}
	forged.Membership = []Block{fb}
	mustFail(t, forged, g, "1 of 3 members signed")
}

// TestProofGenesisChecks gives VerifyProof things that are not the
// chain's genesis.
func TestProofGenesisChecks(t *testing.T) {
	g := newGenesis(t, 0, "a")
	pc := openProofChain(t, g)
	path := pc.batch(t, "a", "a", 1)
	cp, err := pc.SignCheckpoint(context.Background(), "a", pc.keys["a"])
	if err != nil {
		t.Fatal(err)
	}
	p, err := pc.prove(t, path, 0, cp)
	if err != nil {
		t.Fatal(err)
	}
	resign := func(b Block) Block {
		if err := b.Sign(testKey("a")); err != nil {
			t.Fatal(err)
		}
		return b
	}
	cases := map[string]struct {
		g    Block
		want string
	}{
		"a block":       {p.Block, "not a genesis block"},
		"bad signature": {func() Block { b := g; b.Time = "2027-01-01T00:00:00Z"; return b }(), "signature"},
		"version":       {resign(func() Block { b := g; b.Version = 9; return b }()), "version 9"},
		"log":           {resign(func() Block { b := g; b.LogSize = 1; return b }()), "empty log root"},
		"members twice": {resign(func() Block {
			b := g
			b.Genesis = &Genesis{Members: []Member{testMember("a"), testMember("a")}}
			return b
		}()), "repeated"},
		"quorum": {resign(func() Block { b := g; b.Genesis = &Genesis{Members: g.Genesis.Members, Quorum: 2}; return b }()), "quorum 2"},
		"another chain": {func() Block {
			b := newGenesis(t, 0, "a")
			b.ChainID = "other"
			return resign(b)
		}(), "another chain"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) { mustFail(t, p, tc.g, tc.want) })
	}
}
