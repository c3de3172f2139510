package replication

import (
	"context"
	"crypto/ed25519"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/raft"

	"github.com/healthanchor/healthanchor/anchor"
)

const (
	raftDBName        = "raft.db"
	snapshotsRetained = 2
	logCacheEntries   = 512
)

// Node is one replica of the chain: a Raft member (or observer) whose
// state machine is the local chain store.
type Node struct {
	cfg     Config
	chain   *anchor.Chain
	agency  string
	key     ed25519.PrivateKey
	logger  *slog.Logger
	metrics *metrics
	// throttle holds back repeated warnings about unreachable peers;
	// contacts records when each peer last answered (see Health).
	throttle *throttle
	contacts *contacts

	exchange exchangeHandler // mounted by HandleExchange (api_exchange.go)

	fsm    *fsm
	store  *raftStore
	raft   *raft.Raft
	trans  *rpcTransport
	tls    *tls.Config
	client *Client
	api    *http.Server
	ckpt   *checkpointer

	submit   chan *submission
	leaderCh chan bool
	cancel   context.CancelFunc
	wg       sync.WaitGroup
	raftMu   sync.Mutex // guards raft while it is set: RPCs and handshakes arrive before NewRaft returns
	closeMu  sync.Mutex
	closed   bool
}

// Start opens the node's Raft state in cfg.DataDir (relative to baseDir),
// verifies the local chain from genesis (an edited store is refused),
// and joins the cluster: Raft over mutual TLS on cfg.RaftAddr, the peer
// API on cfg.APIAddr, the block proposer and the checkpoint exchange.
// agencyID and key are the member's identity, used to sign blocks and
// checkpoints; an observer passes an empty id and a nil key. Start never
// bootstraps a cluster: a node without Raft state waits to be added.
func Start(ctx context.Context, cfg Config, baseDir string, chain *anchor.Chain, agencyID string, key ed25519.PrivateKey, logger *slog.Logger) (*Node, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	logger = logger.With("component", "replication", logNode, cfg.NodeID)
	n := &Node{cfg: cfg, chain: chain, agency: agencyID, key: key, logger: logger, metrics: newMetrics(),
		throttle: newThrottle(cfg.repeatEvery), contacts: newContacts(),
		submit: make(chan *submission, 1024), leaderCh: make(chan bool, 8)}
	if !cfg.Observer {
		if agencyID != cfg.NodeID {
			return nil, fmt.Errorf("replication: cluster.node_id %q must be the agency id %q", cfg.NodeID, agencyID)
		}
		if key == nil {
			return nil, fmt.Errorf("replication: member node %q needs its agency key; run a replica without one as an observer", agencyID)
		}
		if pub, ok := chain.MemberKey(agencyID); ok && !pub.Equal(key.Public()) {
			return nil, fmt.Errorf("replication: the agency key is not %q's key on chain %q", agencyID, chain.ChainID())
		} else if !ok {
			logger.Warn("this agency is not a member on the local chain yet: the node replicates and waits for the membership block adding it", "agency", agencyID)
		}
	}
	dir := resolve(baseDir, cfg.DataDir)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("replication: data dir: %w", err)
	}
	var err error
	if n.store, err = openRaftStore(filepath.Join(dir, raftDBName)); err != nil {
		return nil, err
	}
	n.store.logger = logger
	if n.fsm, err = newFSM(ctx, chain, n.store, logger); err != nil {
		n.shutdown()
		return nil, err
	}
	n.fsm.metrics = n.metrics
	n.fsm.onFork = n.recordRestoreFork
	n.fsm.onLogFork = n.recordLogFork
	n.metrics.rejected = n.fsm.rejectedCount
	n.metrics.halted = func() bool { return n.fsm.haltedErr() != nil }
	if n.tls, err = LoadTLS(cfg.TLS, baseDir, n.admitted); err != nil {
		n.shutdown()
		return nil, err
	}
	n.client = newClient(n.tls)
	if err := n.startRaft(dir); err != nil {
		n.shutdown()
		return nil, err
	}
	if err := n.startAPI(); err != nil {
		n.shutdown()
		return nil, err
	}
	if n.ckpt, err = newCheckpointer(n); err != nil {
		n.shutdown()
		return nil, err
	}
	runCtx, cancel := context.WithCancel(context.Background())
	n.cancel = cancel
	n.wg.Add(2)
	go func() { defer n.wg.Done(); n.ckpt.run(runCtx) }()
	go func() { defer n.wg.Done(); n.reconcileLoop(runCtx) }()
	if !cfg.Observer {
		// An observer never proposes: it has no proposer at all.
		n.wg.Add(1)
		go func() { defer n.wg.Done(); n.proposeLoop(runCtx) }()
	}
	logger.Info("replication started", "raft_addr", cfg.RaftAddr, "api_addr", cfg.APIAddr, "raft_listen", cfg.raftListen(), "api_listen", cfg.apiListen(), logHeight, n.fsm.state().Head.Height)
	return n, nil
}

func (n *Node) startRaft(dir string) error {
	hl := raftLogger(n.logger, "raft", n.throttle)
	snaps, err := raft.NewFileSnapshotStoreWithLogger(dir, snapshotsRetained, hl)
	if err != nil {
		return fmt.Errorf("replication: snapshots: %w", err)
	}
	has, err := raft.HasExistingState(n.store, n.store, snaps)
	if err != nil {
		return fmt.Errorf("replication: %w", err)
	}
	if !has {
		n.logger.Warn("no Raft state in the data folder: this node waits for the leader to add it (bootstrap is done once, by cluster init)", "data_dir", dir)
	}
	if n.trans, err = newRPCTransport(n.cfg.raftListen(), n.cfg.RaftAddr, n.tls, n.raftSenders, n.logger, n.throttle, n.contacts); err != nil {
		return err
	}
	conf := raftConfig(n.cfg, hl)
	conf.NotifyCh = n.leaderCh
	// The leader reads back each entry it replicates: the latest come
	// from memory rather than SQLite.
	logs, err := raft.NewLogCache(logCacheEntries, n.store)
	if err != nil {
		return fmt.Errorf("replication: raft log cache: %w", err)
	}
	r, err := raft.NewRaft(conf, n.fsm, logs, n.store, snaps, n.trans)
	if err != nil {
		return fmt.Errorf("replication: raft: %w", err)
	}
	n.raftMu.Lock()
	n.raft = r
	n.raftMu.Unlock()
	return nil
}

// raftSenders returns who may send this node Raft RPCs now: the voters of
// the latest Raft configuration with their raft addresses; before this
// node holds a configuration (it waits to be added), the members of the
// local chain at the raft addresses of cluster.peers.
func (n *Node) raftSenders() map[string]string {
	out := map[string]string{}
	n.raftMu.Lock()
	r := n.raft
	n.raftMu.Unlock()
	if r != nil {
		if f := r.GetConfiguration(); f.Error() == nil {
			for _, s := range f.Configuration().Servers {
				if s.Suffrage == raft.Voter {
					out[string(s.ID)] = string(s.Address)
				}
			}
		}
	}
	if len(out) > 0 {
		return out
	}
	for _, p := range n.cfg.Peers {
		if n.isMember(p.ID) {
			out[p.ID] = p.RaftAddr
		}
	}
	return out
}

// raftConfig tunes Raft for agencies on a LAN or WAN of a few nodes:
// sub-second failover, small snapshots kept often.
func raftConfig(cfg Config, logger hclog.Logger) *raft.Config {
	conf := raft.DefaultConfig()
	conf.LocalID = raft.ServerID(cfg.NodeID)
	conf.HeartbeatTimeout = 500 * time.Millisecond
	conf.ElectionTimeout = 500 * time.Millisecond
	conf.LeaderLeaseTimeout = 250 * time.Millisecond
	// Followers learn that an entry committed from the leader's next
	// AppendEntries: the next entry, or after CommitTimeout to 2x that
	// without one (cluster.commit_timeout: latency against idle load).
	conf.CommitTimeout = DefaultCommitTimeout
	if cfg.commitTimeout > 0 { // validated
		conf.CommitTimeout = cfg.commitTimeout
	}
	conf.SnapshotThreshold = cfg.SnapshotEvery
	conf.SnapshotInterval = cfg.snapInterval
	conf.TrailingLogs = cfg.TrailingLogs
	conf.Logger = logger
	return conf
}

func raftLoggerDiscard() hclog.Logger {
	return hclog.New(&hclog.LoggerOptions{Output: io.Discard, Level: hclog.Off})
}

func (n *Node) startAPI() error {
	ln, err := tls.Listen("tcp", n.cfg.apiListen(), n.tls)
	if err != nil {
		return fmt.Errorf("replication: api listener: %w", err)
	}
	n.api = &http.Server{Handler: n.peerHandler(), ReadHeaderTimeout: 5 * time.Second, ErrorLog: slog.NewLogLogger(n.logger.Handler(), slog.LevelDebug)}
	n.wg.Add(1)
	go func() {
		defer n.wg.Done()
		if err := n.api.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			n.logger.Error("peer api stopped", logErr, err)
		}
	}()
	return nil
}

// isMember says whether id is a member on the local chain now (the
// genesis members as changed by membership blocks).
func (n *Node) isMember(id string) bool {
	_, ok := n.fsm.member(id)
	return ok
}

// admitted says whether a TLS peer's node id may connect: a current
// member of the chain, or a server in the current Raft configuration (an
// observer added by a member, a member being added). A removed member
// is refused once it has left both.
func (n *Node) admitted(id string) bool {
	if n.isMember(id) {
		return true
	}
	n.raftMu.Lock()
	r := n.raft
	n.raftMu.Unlock()
	if r == nil {
		return false
	}
	f := r.GetConfiguration()
	if f.Error() != nil {
		return false
	}
	for _, s := range f.Configuration().Servers {
		if string(s.ID) == id {
			return true
		}
	}
	return false
}

// Close stops the node in order: no new submissions or proposals, then
// the peer API, then Raft (which stops applying to the chain), then the
// transport and the Raft store. The chain itself belongs to the caller.
func (n *Node) Close() error {
	n.closeMu.Lock()
	defer n.closeMu.Unlock()
	if n.closed {
		return nil
	}
	n.closed = true
	if n.cancel != nil {
		n.cancel()
	}
	return n.shutdown()
}

func (n *Node) shutdown() error {
	var errs []error
	if n.api != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		errs = append(errs, n.api.Shutdown(ctx))
		cancel()
	}
	if n.raft != nil {
		errs = append(errs, n.raft.Shutdown().Error())
	}
	if n.trans != nil {
		errs = append(errs, n.trans.Close())
	}
	n.wg.Wait()
	if n.store != nil {
		errs = append(errs, n.store.Close())
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("replication: close: %w", err)
	}
	return nil
}

// isLeader reports whether this node leads the cluster now.
func (n *Node) isLeader() bool { return n.raft.State() == raft.Leader }

// leaderAPI returns the leader's id and peer API address.
func (n *Node) leaderAPI() (string, string, bool) {
	_, id := n.raft.LeaderWithID()
	if id == "" {
		return "", "", false
	}
	addr := n.peerAPI(string(id))
	return string(id), addr, addr != ""
}

// peerAPI returns a node's peer API address: from the config's peers,
// else from the chain's member list (members added after this node's
// config was written).
func (n *Node) peerAPI(id string) string {
	if p, ok := n.cfg.Peer(id); ok {
		return p.APIAddr
	}
	if m, ok := n.fsm.member(id); ok {
		return m.Address
	}
	return ""
}

// dialAddr is net.JoinHostPort-safe formatting for URLs.
func apiURL(addr, path string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "https://" + addr + path
	}
	return "https://" + net.JoinHostPort(host, port) + path
}
