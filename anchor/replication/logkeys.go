package replication

// Log keys used by this package.
const (
	logHeight    = "height"
	logManifests = "manifests"
	logIndex     = "raft_index"
	logErr       = "err"
	logPeer      = "peer"
	logSize      = "log_size"
	logNode      = "node"
	logLeader    = "leader"
)
