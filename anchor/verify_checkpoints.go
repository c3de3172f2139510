package anchor

import (
	"context"
	"encoding/hex"
	"fmt"
)

// checkpointLog is what Verify learns from the blocks to check the
// checkpoints a single-node chain stores (proof_store.go): the log root
// at each log size a block committed to, and every member the chain has
// had (those of the genesis and those added since).
type checkpointLog struct {
	roots   map[int64]string
	members []Member
	seen    map[string]bool
}

func newCheckpointLog(genesis Block) *checkpointLog {
	l := &checkpointLog{roots: map[int64]string{}, seen: map[string]bool{}}
	if genesis.Genesis != nil {
		l.addMembers(genesis.Genesis.Members)
	}
	return l
}

func (l *checkpointLog) addMembers(ms []Member) {
	for _, m := range ms {
		if !l.seen[m.ID] {
			l.seen[m.ID] = true
			l.members = append(l.members, m)
		}
	}
}

// add records a verified block.
func (l *checkpointLog) add(b Block) {
	l.roots[b.LogSize] = b.LogRoot
	if b.Membership != nil {
		l.addMembers(b.Membership.Add)
	}
}

// verifyCheckpoints checks every stored checkpoint: a signed note of this
// chain by a member (OpenCheckpoint), of the size it is stored under,
// whose root is the chain's log root at that size.
func (c *Chain) verifyCheckpoints(ctx context.Context, l *checkpointLog) error {
	if !c.hasCheckpoints(ctx) {
		return nil
	}
	rows, err := c.conn().QueryContext(ctx, `SELECT size, note FROM checkpoints ORDER BY size`)
	if err != nil {
		return fmt.Errorf("anchor: checkpoints: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var size int64
		var note string
		if err := rows.Scan(&size, &note); err != nil {
			return fmt.Errorf("anchor: checkpoints: %w", err)
		}
		cp, err := OpenCheckpoint(note, c.ChainID(), l.members)
		if err != nil {
			return fmt.Errorf("anchor: stored checkpoint of size %d: %w", size, err)
		}
		root, ok := l.roots[size]
		switch {
		case cp.Size != size:
			return fmt.Errorf("anchor: checkpoint stored as size %d is of size %d", size, cp.Size)
		case !ok:
			return fmt.Errorf("anchor: stored checkpoint of size %d: no block commits to a log of that size", size)
		case hex.EncodeToString(cp.Root) != root:
			return fmt.Errorf("anchor: stored checkpoint of size %d: root %x is not the chain's log root %.16s… at that size", size, cp.Root[:8], root)
		}
	}
	return rows.Err()
}
