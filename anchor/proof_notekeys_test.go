package anchor_test

import (
	"crypto/ed25519"
	"testing"

	"github.com/healthanchor/healthanchor/anchor"
	"github.com/healthanchor/healthanchor/anchor/replication"
)

// TestNoteKeysAgree checks that the verifier keys proofs use are the ones
// the replica signs checkpoints with.
func TestNoteKeysAgree(t *testing.T) {
	key := ed25519.NewKeyFromSeed(make([]byte, 32))
	pub := key.Public().(ed25519.PublicKey)
	_, vkey := replication.NoteKeys("node1", key)
	if got := anchor.NoteVerifierKey("node1", pub); got != vkey || got != replication.NoteVerifierKey("node1", pub) {
		t.Errorf("anchor vkey %s, replication %s", got, vkey)
	}
}
