package deploy

import (
	"strings"
	"testing"
	"time"

	"github.com/healthanchor/healthanchor/anchor"
)

func TestNewGenesis(t *testing.T) {
	a, b, outsider := anchor.GenerateSigningKey(), anchor.GenerateSigningKey(), anchor.GenerateSigningKey()
	spec := func(id string, pub string, n int) anchor.Member {
		m, err := ParseMember("id=" + id + ",name=Agency " + id + ",public-key=" + pub +
			",address=127.0.0.1:" + string(rune('0'+n)) + "402,raft-addr=127.0.0.1:" + string(rune('0'+n)) + "401")
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	members := []anchor.Member{spec("a", anchor.PublicKeyText(a), 1), spec("b", anchor.PublicKeyText(b), 2)}
	g, err := NewGenesis("c", members, b, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := anchor.CheckGenesis(g); g.Proposer != "b" || err != nil {
		t.Fatalf("proposer %q, check %v", g.Proposer, err)
	}
	if _, err := NewGenesis("c", members, outsider, time.Now()); err == nil || !strings.Contains(err.Error(), "no member's key") {
		t.Fatalf("signed by a non-member: %v", err)
	}
	noRaft := []anchor.Member{members[0], {ID: "b", PublicKey: members[1].PublicKey, Address: "127.0.0.1:2402"}}
	if _, err := NewGenesis("c", noRaft, a, time.Now()); err == nil || !strings.Contains(err.Error(), "raft-addr") {
		t.Fatalf("member without raft-addr: %v", err)
	}
	for _, bad := range []string{"id=a", "id=a,public-key=xyz", "id=a,public-key=" + anchor.PublicKeyText(a) + ",colour=red", "nokey"} {
		if _, err := ParseMember(bad); err == nil {
			t.Errorf("ParseMember(%q) accepted", bad)
		}
	}
}
