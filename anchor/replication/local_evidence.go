package replication

import (
	"context"
	"path/filepath"
)

// StoredForks reads the fork evidence recorded in a node's data folder,
// for readers outside the running node (the audit report, the explorer).
func StoredForks(ctx context.Context, cfg Config, baseDir string) ([]Fork, error) {
	store, err := openRaftStore(filepath.Join(resolve(baseDir, cfg.DataDir), raftDBName))
	if err != nil {
		return nil, err
	}
	defer store.Close()
	return store.evidence(ctx)
}
