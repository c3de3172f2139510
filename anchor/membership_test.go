package anchor

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// memberChain is a chain of three members, a, b and c.
type memberChain struct {
	*Chain
	keys map[string]ed25519.PrivateKey
	seqs map[string]int64
}

func newMemberChain(t *testing.T) *memberChain {
	t.Helper()
	mc := &memberChain{keys: map[string]ed25519.PrivateKey{}, seqs: map[string]int64{}}
	var members []Member
	for i, id := range []string{"a", "b", "c"} {
		mc.keys[id] = ed25519.NewKeyFromSeed([]byte(fmt.Sprintf("%032d", i)))
		members = append(members, mc.member(id))
	}
	g, err := NewGenesis("member-chain", members, "a", mc.keys["a"], time.Unix(0, 0))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "chain.db")
	if err := CreateChain(path, g); err != nil {
		t.Fatal(err)
	}
	if mc.Chain, err = OpenChain(path); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { mc.Close() })
	return mc
}

func (mc *memberChain) member(id string) Member {
	return Member{ID: id, Name: "Agency " + id, PublicKey: EncodePublicKey(mc.keys[id].Public().(ed25519.PublicKey)), Address: id + ":7402", RaftAddr: id + ":7401"}
}

// manifest signs agency's next manifest with key.
func (mc *memberChain) manifest(t *testing.T, agency string, key ed25519.PrivateKey) Manifest {
	t.Helper()
	seq := mc.seqs[agency] + 1
	m := Manifest{Version: ManifestVersion, ChainID: mc.ChainID(), BatchID: fmt.Sprintf("%s-%d", agency, seq), Agency: agency, ProducerSeq: seq,
		Job: "j", Schema: "patient/1", Rows: 1, MerkleRoot: strings.Repeat("ab", 32), ParquetSHA256: strings.Repeat("cd", 32)}
	if err := m.Sign(key); err != nil {
		t.Fatal(err)
	}
	return m
}

// anchor proposes agency's next manifest in a block by proposer.
func (mc *memberChain) anchor(t *testing.T, agency, proposer string) error {
	t.Helper()
	_, err := mc.Propose(context.Background(), []Manifest{mc.manifest(t, agency, mc.keys[agency])}, proposer, mc.keys[proposer], time.Unix(10, 0))
	if err == nil {
		mc.seqs[agency]++
	}
	return err
}

// change returns a change at the chain's epoch signed by signers.
func (mc *memberChain) change(t *testing.T, remove []string, add []Member, signers ...string) MembershipChange {
	t.Helper()
	_, epoch, err := mc.Membership(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	ch := MembershipChange{Version: MembershipVersion, ChainID: mc.ChainID(), Epoch: epoch, Remove: remove, Add: add}
	for _, s := range signers {
		if err := ch.Sign(s, mc.keys[s]); err != nil {
			t.Fatal(err)
		}
	}
	return ch
}

func (mc *memberChain) ids(t *testing.T) string {
	t.Helper()
	ms, _, err := mc.Membership(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, m := range ms {
		ids = append(ids, m.ID)
	}
	return strings.Join(ids, ",")
}

func TestMembershipNeedsMajority(t *testing.T) {
	ctx := context.Background()
	mc := newMemberChain(t)
	mc.keys["d"] = ed25519.NewKeyFromSeed([]byte(fmt.Sprintf("%032d", 9)))
	outsider := ed25519.NewKeyFromSeed([]byte(fmt.Sprintf("%032d", 8)))
	forged := mc.change(t, nil, []Member{mc.member("d")}, "a")
	if err := forged.Sign("d", mc.keys["d"]); err != nil {
		t.Fatal(err)
	}
	badSig := mc.change(t, nil, []Member{mc.member("d")}, "a")
	if err := badSig.Sign("b", outsider); err != nil {
		t.Fatal(err)
	}
	unsorted := mc.change(t, nil, []Member{mc.member("d")}, "a", "b")
	unsorted.Signatures[0], unsorted.Signatures[1] = unsorted.Signatures[1], unsorted.Signatures[0]
	wrongEpoch := mc.change(t, nil, []Member{mc.member("d")}, "a", "b")
	wrongEpoch.Epoch = 1
	if err := wrongEpoch.Sign("a", mc.keys["a"]); err != nil {
		t.Fatal(err)
	}
	if err := wrongEpoch.Sign("b", mc.keys["b"]); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		ch   MembershipChange
		want string
	}{
		{"one of three", mc.change(t, nil, []Member{mc.member("d")}, "a"), "1 of 3 members signed"},
		{"non-member signature counted", forged, `signature by "d", who is not a member`},
		{"signature by another key", badSig, "member b: bad healthanchor/membership/v1 signature"},
		{"signatures out of order", unsorted, "sorted"},
		{"wrong epoch", wrongEpoch, "epoch 1"},
		{"adds an existing id", mc.change(t, nil, []Member{mc.member("b")}, "a", "b"), "repeated"},
		{"removes a non-member", mc.change(t, []string{"z"}, nil, "a", "b"), `removes "z"`},
		{"removes everyone", mc.change(t, []string{"a", "b", "c"}, nil, "a", "b", "c"), "without members"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := mc.ProposeMembership(ctx, c.ch, "a", mc.keys["a"], time.Unix(5, 0))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("ProposeMembership = %v, want an error containing %q", err, c.want)
			}
		})
	}
	_, err := mc.ProposeMembership(ctx, mc.change(t, nil, []Member{mc.member("d")}, "c"), "a", mc.keys["a"], time.Unix(5, 0))
	if !errors.Is(err, ErrNoMajority) {
		t.Errorf("error %v does not wrap ErrNoMajority", err)
	}
	if got := mc.ids(t); got != "a,b,c" {
		t.Fatalf("members after refused changes = %s, want a,b,c", got)
	}
	if _, err := mc.ProposeMembership(ctx, mc.change(t, nil, []Member{mc.member("d")}, "b", "c"), "a", mc.keys["a"], time.Unix(5, 0)); err != nil {
		t.Fatalf("a change signed by 2 of 3: %v", err)
	}
	if got := mc.ids(t); got != "a,b,c,d" {
		t.Fatalf("members = %s, want a,b,c,d", got)
	}
	// Four members now: two signatures are no longer a majority.
	if _, err := mc.ProposeMembership(ctx, mc.change(t, []string{"c"}, nil, "a", "b"), "a", mc.keys["a"], time.Unix(6, 0)); !errors.Is(err, ErrNoMajority) {
		t.Fatalf("2 of 4 signatures: %v, want ErrNoMajority", err)
	}
	if err := mc.anchor(t, "d", "d"); err != nil {
		t.Fatalf("the added member cannot anchor and propose: %v", err)
	}
}

func TestMembershipRemoveAndRotate(t *testing.T) {
	ctx := context.Background()
	mc := newMemberChain(t)
	for _, id := range []string{"a", "b", "c"} {
		if err := mc.anchor(t, id, "a"); err != nil {
			t.Fatal(err)
		}
	}
	removeC := mc.change(t, []string{"c"}, nil, "a", "b")
	if _, err := mc.ProposeMembership(ctx, removeC, "c", mc.keys["c"], time.Unix(5, 0)); err != nil {
		t.Fatalf("remove c, proposed by c itself: %v", err)
	}
	// The same approved change cannot be replayed at the next epoch.
	if _, err := mc.ProposeMembership(ctx, removeC, "a", mc.keys["a"], time.Unix(5, 0)); err == nil || !strings.Contains(err.Error(), "epoch 0") {
		t.Fatalf("replayed change: %v", err)
	}
	if err := mc.anchor(t, "c", "a"); err == nil || !strings.Contains(err.Error(), `agency "c" is not a member`) {
		t.Fatalf("manifest by a removed member: %v", err)
	}
	if err := mc.anchor(t, "a", "c"); err == nil || !strings.Contains(err.Error(), `proposer "c" is not a member`) {
		t.Fatalf("block by a removed member: %v", err)
	}
	if _, ok := mc.MemberKey("c"); ok {
		t.Error("MemberKey still knows the removed member")
	}
	// Rotate b's key: remove and add b in one change, approved by both
	// remaining members (two of two) with their current keys.
	oldB, newB := mc.keys["b"], ed25519.NewKeyFromSeed([]byte(fmt.Sprintf("%032d", 7)))
	newMember := mc.member("b")
	newMember.PublicKey = EncodePublicKey(newB.Public().(ed25519.PublicKey))
	rotate := mc.change(t, []string{"b"}, []Member{newMember}, "a", "b")
	if _, err := mc.ProposeMembership(ctx, rotate, "a", mc.keys["a"], time.Unix(6, 0)); err != nil {
		t.Fatalf("key rotation: %v", err)
	}
	if got := mc.ids(t); got != "a,b" {
		t.Fatalf("members = %s, want a,b", got)
	}
	old := mc.manifest(t, "b", oldB)
	if _, err := mc.Propose(ctx, []Manifest{old}, "a", mc.keys["a"], time.Unix(7, 0)); err == nil || !strings.Contains(err.Error(), "signature") {
		t.Fatalf("manifest signed with b's old key: %v", err)
	}
	mc.keys["b"] = newB
	if err := mc.anchor(t, "b", "b"); err != nil {
		t.Fatalf("b with its new key: %v", err)
	}
	// Verify replays the membership blocks from genesis; past manifests
	// of c and of b's old key still verify.
	rep, err := mc.Verify(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Height != 6 || rep.Manifests != 4 {
		t.Errorf("report %+v, want height 6 and 4 manifests", rep)
	}
	// A fresh handle replays the same membership.
	again, err := OpenChain(mc.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	members, epoch, err := again.Membership(ctx)
	if err != nil || epoch != 2 || len(members) != 2 || members[1].PublicKey != newMember.PublicKey {
		t.Fatalf("reopened membership = %+v, epoch %d, %v", members, epoch, err)
	}
}

// TestMembershipBlockShape: a membership block holds no manifests and
// keeps the log as it is; a tampered change fails Verify.
func TestMembershipBlockShape(t *testing.T) {
	ctx := context.Background()
	mc := newMemberChain(t)
	if err := mc.anchor(t, "a", "a"); err != nil {
		t.Fatal(err)
	}
	mc.keys["d"] = ed25519.NewKeyFromSeed([]byte(fmt.Sprintf("%032d", 9)))
	ch := mc.change(t, nil, []Member{mc.member("d")}, "a", "b")
	head, _ := mc.Head(ctx)
	hash, _ := head.Hash()
	b := Block{Version: BlockVersion, ChainID: mc.ChainID(), Height: 2, PrevHash: hash, Time: "1970-01-01T00:00:05Z", Proposer: "a",
		Manifests: []Manifest{mc.manifest(t, "a", mc.keys["a"])}, LogSize: head.LogSize, LogRoot: head.LogRoot, Membership: &ch}
	if err := b.Sign(mc.keys["a"]); err != nil {
		t.Fatal(err)
	}
	if err := mc.Append(ctx, b); err == nil || !strings.Contains(err.Error(), "no manifests") {
		t.Fatalf("membership block with a manifest: %v", err)
	}
	b.Manifests, b.LogSize = nil, 0
	if err := b.Sign(mc.keys["a"]); err != nil {
		t.Fatal(err)
	}
	if err := mc.Append(ctx, b); err == nil || !strings.Contains(err.Error(), "log_size") {
		t.Fatalf("membership block changing the log: %v", err)
	}
	if _, err := mc.ProposeMembership(ctx, ch, "a", mc.keys["a"], time.Unix(5, 0)); err != nil {
		t.Fatal(err)
	}
	if _, err := mc.Verify(ctx); err != nil {
		t.Fatal(err)
	}
	// Re-sign the block after changing the added member's key: the
	// members' approvals no longer hold.
	stored, _ := mc.Block(ctx, 2)
	stored.Membership.Add[0].PublicKey = EncodePublicKey(mc.keys["c"].Public().(ed25519.PublicKey))
	if err := stored.Sign(mc.keys["a"]); err != nil {
		t.Fatal(err)
	}
	body, _ := stored.Encode()
	h, _ := stored.Hash()
	if _, err := mc.db.Exec(`UPDATE blocks SET body = ?, hash = ? WHERE height = 2`, body, h); err != nil {
		t.Fatal(err)
	}
	mc.cached = nil
	if _, err := mc.Verify(ctx); err == nil || !strings.Contains(err.Error(), "membership/v1 signature") {
		t.Fatalf("Verify of an edited membership block: %v", err)
	}
}
