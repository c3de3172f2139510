package replication

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/hashicorp/raft"
)

// Bootstrap writes the initial Raft configuration (every peer of cfg as
// a voter, and the given observers as non-voters) into the node's empty
// data folder. Every node of a cluster must be bootstrapped with the same
// peers and observers. It is run once per node by `cluster init`; Start
// never bootstraps, and Bootstrap refuses a folder that already holds
// Raft state.
func Bootstrap(cfg Config, baseDir string, observers ...Peer) error {
	if err := cfg.Validate(); err != nil {
		return err
	}
	dir := resolve(baseDir, cfg.DataDir)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("replication: bootstrap: %w", err)
	}
	store, err := openRaftStore(filepath.Join(dir, raftDBName))
	if err != nil {
		return err
	}
	defer store.Close()
	snaps, err := raft.NewFileSnapshotStoreWithLogger(dir, snapshotsRetained, raftLoggerDiscard())
	if err != nil {
		return fmt.Errorf("replication: bootstrap: %w", err)
	}
	if has, err := raft.HasExistingState(store, store, snaps); err != nil || has {
		return fmt.Errorf("replication: bootstrap: %s already holds Raft state (or cannot be read: %v); a cluster is bootstrapped once", dir, err)
	}
	var servers []raft.Server
	for _, p := range cfg.Peers {
		servers = append(servers, raft.Server{Suffrage: raft.Voter, ID: raft.ServerID(p.ID), Address: raft.ServerAddress(p.RaftAddr)})
	}
	for _, o := range observers {
		servers = append(servers, raft.Server{Suffrage: raft.Nonvoter, ID: raft.ServerID(o.ID), Address: raft.ServerAddress(o.RaftAddr)})
	}
	_, trans := raft.NewInmemTransport(raft.ServerAddress(cfg.RaftAddr))
	conf := raftConfig(cfg, raftLoggerDiscard())
	if err := raft.BootstrapCluster(conf, store, store, snaps, trans, raft.Configuration{Servers: servers}); err != nil {
		return fmt.Errorf("replication: bootstrap: %w", err)
	}
	return nil
}

func resolve(baseDir, p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(baseDir, p)
}
