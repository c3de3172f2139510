// Package localcluster lays out a trial consortium on one machine for
// `healthanchor cluster init`: N agency folders with their keys, TLS
// certificates from a fresh consortium CA, a shared genesis naming every
// agency, a healthanchor.yaml on free loopback ports with a CSV job over
// the agency's own inbox, and the Raft bootstrap state; and K observer
// folders (non-voting replicas) with a certificate, the genesis and a
// config marked observer.
package localcluster

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/healthanchor/healthanchor/anchor"
	"github.com/healthanchor/healthanchor/anchor/replication"
)

// Node is one agency (or observer) folder made by Init.
type Node struct {
	ID         string // "node1" ..., "observer1" ...
	Name       string // the agency's display name in the genesis
	Dir        string
	ConfigPath string
	Cluster    replication.Config
	ListenAddr string // the daemon's HTTP listener
}

// Init creates dir (which must be absent or empty) holding ca/,
// node1 ... nodeN and observer1 ... observerK, and returns the nodes,
// members first. Observers are in every node's bootstrap configuration
// as non-voters.
func Init(dir string, n, observers int, now time.Time) ([]Node, error) {
	if n < 1 || n > 15 {
		return nil, fmt.Errorf("localcluster: %d nodes: use 1 to 15 (3 to 7 for a consortium)", n)
	}
	if observers < 0 || observers > 15 {
		return nil, fmt.Errorf("localcluster: %d observers: use 0 to 15", observers)
	}
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return nil, fmt.Errorf("localcluster: %s is not empty; choose another --dir", dir)
	} else if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("localcluster: %w", err)
	}
	ports, err := freePorts(3 * (n + observers))
	if err != nil {
		return nil, err
	}
	ca, err := replication.NewCA("healthanchor trial consortium CA")
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Join(dir, "ca"), 0o700); err != nil {
		return nil, fmt.Errorf("localcluster: %w", err)
	}
	if err := ca.Write(filepath.Join(dir, "ca", "ca.crt"), filepath.Join(dir, "ca", "ca.key")); err != nil {
		return nil, err
	}
	nodes := make([]Node, n)
	keys := make([]ed25519.PrivateKey, n)
	var members []anchor.Member
	var peers []replication.Peer
	for i := range nodes {
		id := fmt.Sprintf("node%d", i+1)
		nodes[i] = Node{ID: id, Name: fmt.Sprintf("Trial agency %d", i+1), Dir: filepath.Join(dir, id), ListenAddr: ports[3*i+2]}
		peers = append(peers, replication.Peer{ID: id, RaftAddr: ports[3*i], APIAddr: ports[3*i+1]})
		if err := makeDirs(nodes[i].Dir); err != nil {
			return nil, err
		}
		if keys[i], err = anchor.NewAgencyKeys(filepath.Join(nodes[i].Dir, "keys")); err != nil {
			return nil, err
		}
		members = append(members, anchor.Member{
			ID: id, Name: nodes[i].Name,
			PublicKey: anchor.PublicKeyText(keys[i]), Address: ports[3*i+1],
		})
	}
	suffix := make([]byte, 4)
	rand.Read(suffix)
	genesis, err := anchor.NewGenesis("healthanchor-trial-"+hex.EncodeToString(suffix), members, nodes[0].ID, keys[0], now)
	if err != nil {
		return nil, err
	}
	body, err := genesis.Encode()
	if err != nil {
		return nil, err
	}
	var obs []replication.Peer
	for k := range observers {
		i := n + k
		id := fmt.Sprintf("observer%d", k+1)
		nodes = append(nodes, Node{ID: id, Name: fmt.Sprintf("Trial observer %d", k+1), Dir: filepath.Join(dir, id), ListenAddr: ports[3*i+2]})
		obs = append(obs, replication.Peer{ID: id, RaftAddr: ports[3*i], APIAddr: ports[3*i+1]})
		if err := makeDirs(nodes[i].Dir); err != nil {
			return nil, err
		}
	}
	all := append(append([]replication.Peer{}, peers...), obs...)
	for i := range nodes {
		nd := &nodes[i]
		if err := writeNode(ca, nd, body, genesis); err != nil {
			return nil, err
		}
		self := all[i]
		nd.Cluster = replication.Config{
			NodeID: nd.ID, RaftAddr: self.RaftAddr, APIAddr: self.APIAddr, DataDir: "raft",
			TLS:   replication.TLSFiles{CAFile: "tls/ca.crt", CertFile: "tls/node.crt", KeyFile: "tls/node.key"},
			Peers: peers, MaxBlockManifests: replication.DefaultMaxBlockManifests, BatchWindow: "0s",
			Observer: i >= n,
		}
		nd.ConfigPath = filepath.Join(nd.Dir, "healthanchor.yaml")
		if err := nd.AddJobs(""); err != nil {
			return nil, err
		}
		if err := replication.Bootstrap(nd.Cluster, nd.Dir, obs...); err != nil {
			return nil, err
		}
	}
	return nodes, nil
}

// AddJobs rewrites the node's healthanchor.yaml with jobs (YAML list
// items, indented by two spaces as under "jobs:") after its CSV inbox
// job. An observer's config keeps no jobs.
func (nd Node) AddJobs(jobs string) error {
	if err := os.WriteFile(nd.ConfigPath, []byte(configYAML(nd, nd.Name, jobs)), 0o644); err != nil {
		return fmt.Errorf("localcluster: %s: %w", nd.ID, err)
	}
	return nil
}

func makeDirs(dir string) error {
	for _, sub := range []string{"keys", "tls", "inbox/csv", "raft"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			return fmt.Errorf("localcluster: %w", err)
		}
	}
	for _, sub := range []string{"keys", "raft"} {
		if err := os.Chmod(filepath.Join(dir, sub), 0o700); err != nil {
			return fmt.Errorf("localcluster: %w", err)
		}
	}
	return nil
}

func writeNode(ca *replication.CA, nd *Node, genesisBody []byte, genesis anchor.Block) error {
	cert, key, err := ca.Issue(nd.ID, []string{"127.0.0.1", "localhost"})
	if err != nil {
		return err
	}
	files := map[string][]byte{"tls/ca.crt": ca.CertPEM(), "tls/node.crt": cert, "genesis.json": append(genesisBody, '\n')}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(nd.Dir, name), data, 0o644); err != nil {
			return fmt.Errorf("localcluster: %w", err)
		}
	}
	if err := os.WriteFile(filepath.Join(nd.Dir, "tls/node.key"), key, 0o600); err != nil {
		return fmt.Errorf("localcluster: %w", err)
	}
	return anchor.CreateChain(filepath.Join(nd.Dir, "chain.db"), genesis)
}

// freePorts reserves n distinct loopback ports by listening on each,
// then releases them for the nodes to take.
func freePorts(n int) ([]string, error) {
	var lns []net.Listener
	defer func() {
		for _, ln := range lns {
			ln.Close()
		}
	}()
	var out []string
	for range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("localcluster: free port: %w", err)
		}
		lns = append(lns, ln)
		out = append(out, ln.Addr().String())
	}
	return out, nil
}
