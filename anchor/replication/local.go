package replication

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/healthanchor/healthanchor/anchor"
)

// LocalStatus describes a chain store read directly, for a node that is
// not running: role is what to report ("offline", "standalone").
func LocalStatus(ctx context.Context, chain *anchor.Chain, role string) (Status, error) {
	head, err := chain.Head(ctx)
	if err != nil {
		return Status{}, fmt.Errorf("replication: %w", err)
	}
	h, err := head.Hash()
	if err != nil {
		return Status{}, fmt.Errorf("replication: %w", err)
	}
	s := Status{ChainID: chain.ChainID(), Height: head.Height, HeadHash: h, LogSize: head.LogSize, LogRoot: head.LogRoot,
		Role: role, Members: []MemberStatus{}, Forks: []Fork{}}
	members, _, err := chain.Membership(ctx)
	if err != nil {
		return Status{}, fmt.Errorf("replication: %w", err)
	}
	for _, m := range members {
		s.Members = append(s.Members, MemberStatus{ID: m.ID, Name: m.Name, Address: m.Address, Suffrage: "unknown"})
	}
	return s, nil
}

// StoredCheckpoint reads the latest checkpoint note from a node's data
// folder, for when the node is not running.
func StoredCheckpoint(cfg Config, baseDir string) (string, error) {
	store, err := openRaftStore(filepath.Join(resolve(baseDir, cfg.DataDir), raftDBName))
	if err != nil {
		return "", err
	}
	defer store.Close()
	c := &checkpointer{n: &Node{store: store}}
	return c.latestNote(context.Background())
}
