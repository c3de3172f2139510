package localcluster

import (
	"fmt"
	"strings"
)

// configYAML is a node's healthanchor.yaml: the demo's keys, one CSV job
// over the node's inbox followed by extraJobs (YAML list items indented
// by two spaces), and the cluster section.
func configYAML(nd Node, name, extraJobs string) string {
	c := nd.Cluster
	jobs := fmt.Sprintf(`jobs:
  # Drop CSV patient exports into inbox/csv/ and they are anchored.
  - name: inbox
    connector: csv
    schedule: "@every 5s"
    options:
      input: inbox/csv/*.csv
      source: %s-his
%s`, nd.ID, extraJobs)
	keys := ""
	if c.Observer {
		jobs = "# An observer anchors nothing: it only keeps and verifies a replica.\njobs: []\n"
		keys = "  # An observer signs nothing: its key files are not read (`healthanchor cluster observe`).\n"
	}
	var b strings.Builder
	fmt.Fprintf(&b, `# healthanchor trial consortium node %s, made by `+"`healthanchor cluster init`"+`.
# Every key is documented in docs/config.md and docs/replication.md.
agency:
%s  id: %s
  name: %s
  key_file: keys/agency.key         # Ed25519 signing key (mode 0600)
  salt_key_file: keys/salt.key      # secret for row salts (mode 0600)
chain:
  path: chain.db                    # SQLite chain store, replicated
  genesis: genesis.json             # shared by every member
state: state.db
output_dir: batches
timezone: UTC
listen: %s

%s
cluster:
  node_id: %s
  raft_addr: %s                # Raft, mutual TLS
  api_addr: %s                 # peer API, mutual TLS
  data_dir: raft                    # Raft log, snapshots, checkpoints
  tls:
    ca_file: %s
    cert_file: %s
    key_file: %s
  max_block_manifests: %d
  batch_window: %s
  observer: %v
  peers:                            # the voting members
`, nd.ID, keys, nd.ID, name, nd.ListenAddr, jobs, c.NodeID, c.RaftAddr, c.APIAddr,
		c.TLS.CAFile, c.TLS.CertFile, c.TLS.KeyFile, c.MaxBlockManifests, c.BatchWindow, c.Observer)
	for _, p := range c.Peers {
		fmt.Fprintf(&b, "    - {id: %s, raft_addr: \"%s\", api_addr: \"%s\"}\n", p.ID, p.RaftAddr, p.APIAddr)
	}
	return b.String()
}
