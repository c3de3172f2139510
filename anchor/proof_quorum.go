package anchor

import "context"

// QuorumSigned opens a signed checkpoint note of this chain against its
// current members and reports whether a quorum of them signed it, the
// rule VerifyProof applies to a proof's checkpoint (QuorumOf the
// genesis's quorum and the current member count). A note that does not
// open is an error.
func (c *Chain) QuorumSigned(ctx context.Context, note string) (CheckedCheckpoint, bool, error) {
	members, _, err := c.Membership(ctx)
	if err != nil {
		return CheckedCheckpoint{}, false, err
	}
	cp, err := OpenCheckpoint(note, c.ChainID(), members)
	if err != nil {
		return CheckedCheckpoint{}, false, err
	}
	quorum := 0
	if g := c.Genesis().Genesis; g != nil {
		quorum = g.Quorum
	}
	return cp, len(cp.Signers) >= QuorumOf(quorum, len(members)), nil
}
