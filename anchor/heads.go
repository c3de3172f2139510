package anchor

import "context"

// HeadRecorder keeps, outside the chain store, a record of the heads the
// store has held, so that a store later found shorter, or holding another
// history, is caught: the chain left after deleting its newest blocks is
// valid on its own, and only a record kept elsewhere remembers the rest.
// Every checkpoint a node signs or cosigns is of a head its store held,
// so the largest head recorded bounds them all.
type HeadRecorder interface {
	// RecordHead is told of block b, whose hash is hash, once it is
	// committed to the store: by Propose, ProposeMembership, Append, or
	// as the head of a store put in place by Swap. The block is stored
	// whatever happens here, so the recorder reports its own failures
	// (it logs them); it must not call back into the Chain.
	RecordHead(ctx context.Context, b Block, hash string)
}

// SetHeadRecorder makes the chain tell r of every head it stores from
// now on (nil stops it).
func (c *Chain) SetHeadRecorder(r HeadRecorder) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.recorder = r
}

// recordHead tells the recorder, if any, of a stored head. Callers hold c.mu.
func (c *Chain) recordHead(ctx context.Context, b Block, hash string) {
	if c.recorder != nil {
		c.recorder.RecordHead(ctx, b, hash)
	}
}
