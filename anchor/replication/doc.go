// Package replication keeps partner agencies' copies of the chain
// identical. Member nodes order blocks with hashicorp/raft over mutual
// TLS; the leader packs the manifests submitted at every node into a
// signed block, and the state machine on every node validates each block
// with the chain's own rules (anchor.Chain.Append) before storing it, so
// that Raft is only the transport for signed blocks, never the source of
// trust. After each block every node signs a C2SP tlog-checkpoint of the
// chain's manifest log and cosigns its peers' matching checkpoints; a
// validly signed checkpoint that disagrees with the local chain is kept
// as fork evidence. docs/replication.md describes the trust model.
package replication
