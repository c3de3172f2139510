// Package deploy sets up and keeps a real agency node: the agency's key
// folder (signing key, salt key, TLS key and certificate request), the
// genesis naming the consortium's members, the node's commented
// healthanchor.yaml with its Raft bootstrap, and consistent backups of a
// running node with their restore (docs/deploy.md). The trial layouts of
// `demo` and `cluster init` use the same pieces of anchor and
// replication.
package deploy
