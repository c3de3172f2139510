package replication

import (
	"errors"
	"fmt"
	"net"
	"os"
	"time"

	"github.com/goccy/go-yaml"
)

// Config is the `cluster:` section of healthanchor.yaml. Relative paths
// are taken from the config file's folder (Start's baseDir).
type Config struct {
	// NodeID is this node's Raft id: the agency id of a member, or the
	// observer's name.
	NodeID string `yaml:"node_id"`
	// RaftAddr is host:port where the node listens for Raft traffic
	// (mutual TLS). Peers dial the address as written, and the node sends
	// it in every Raft RPC, where peers check it against their Raft
	// configuration.
	RaftAddr string `yaml:"raft_addr"`
	// APIAddr is host:port of the node's peer API (mutual TLS): forwarded
	// submissions, checkpoints, status and block hashes. Peers dial it
	// as written.
	APIAddr string `yaml:"api_addr"`
	// RaftBind and APIBind are the host:port the node listens on for
	// Raft and for the peer API when that differs from the address its
	// peers dial (raft_addr, api_addr): behind a NAT, a TCP proxy or a
	// port forward. Empty (the default) listens on raft_addr and
	// api_addr. The node still sends raft_addr in its Raft RPCs.
	RaftBind string `yaml:"raft_bind"`
	APIBind  string `yaml:"api_bind"`
	// DataDir holds the Raft log, stable store and snapshots.
	DataDir string `yaml:"data_dir"`
	// TLS names the consortium CA and this node's certificate.
	TLS TLSFiles `yaml:"tls"`
	// Peers lists every node of the cluster, this one included.
	Peers []Peer `yaml:"peers"`
	// Observer marks a non-voting replica: it stores and verifies every
	// block but never votes, proposes or signs.
	Observer bool `yaml:"observer"`
	// MaxBlockManifests caps the manifests the leader packs into a block
	// (default 256).
	MaxBlockManifests int `yaml:"max_block_manifests"`
	// BatchWindow is how much longer the leader waits for more
	// submissions once one is queued, as a Go duration (default "0s":
	// it proposes at once, and the submissions that arrive while a block
	// commits share the next one).
	BatchWindow string `yaml:"batch_window"`
	// SnapshotEvery is how many committed entries trigger a snapshot of
	// the chain (default 1024); SnapshotInterval how often the node
	// checks (default "30s"); TrailingLogs how many entries it keeps after
	// a snapshot for slow followers (default 1024): a follower further
	// behind is sent the snapshot instead.
	SnapshotEvery    uint64 `yaml:"snapshot_every"`
	SnapshotInterval string `yaml:"snapshot_interval"`
	TrailingLogs     uint64 `yaml:"trailing_logs"`
	// CommitTimeout is how long the leader waits without a new entry
	// before sending each follower an empty AppendEntries, which is how
	// followers learn that entries committed (default "1ms", Raft's
	// least: a lone block reaches the followers' chains within about 2 ms
	// of the leader's). While idle that is one RPC per follower every
	// interval to twice that: about a quarter of a core for a 3-node
	// cluster at 1ms, 4% at 50ms (BenchmarkIdle).
	CommitTimeout string `yaml:"commit_timeout"`
	// RepeatLogEvery is how often a repeated warning about one peer (it
	// does not answer, a retry failed) is logged, as a Go duration
	// (default "30s"): the first at once, then one line per interval
	// counting the others (repeated=K).
	RepeatLogEvery string `yaml:"repeat_log_every"`

	window        time.Duration
	commitTimeout time.Duration
	snapInterval  time.Duration
	repeatEvery   time.Duration
}

// TLSFiles locates the PEM files for mutual TLS.
type TLSFiles struct {
	CAFile   string `yaml:"ca_file"`
	CertFile string `yaml:"cert_file"`
	KeyFile  string `yaml:"key_file"`
}

// Peer is one node of the cluster.
type Peer struct {
	ID       string `yaml:"id"`
	RaftAddr string `yaml:"raft_addr"`
	APIAddr  string `yaml:"api_addr"`
}

// Defaults applied by Validate.
const (
	DefaultMaxBlockManifests = 256
	DefaultBatchWindow       = time.Duration(0)
	DefaultSnapshotEvery     = 1024
	DefaultSnapshotInterval  = 30 * time.Second
	DefaultCommitTimeout     = time.Millisecond
	DefaultTrailingLogs      = 1024
	DefaultRepeatLogEvery    = 30 * time.Second
)

// Validate fills defaults and reports the first invalid field by its
// yaml path.
func (c *Config) Validate() error {
	fail := func(format string, args ...any) error {
		return fmt.Errorf("replication: config: "+format, args...)
	}
	if c.NodeID == "" {
		return fail("cluster.node_id is missing: set this node's agency id")
	}
	if err := checkAddr(c.RaftAddr); err != nil {
		return fail("cluster.raft_addr %q: %v", c.RaftAddr, err)
	}
	if err := checkAddr(c.APIAddr); err != nil {
		return fail("cluster.api_addr %q: %v", c.APIAddr, err)
	}
	for _, b := range []struct{ key, val string }{{"raft_bind", c.RaftBind}, {"api_bind", c.APIBind}} {
		if b.val == "" {
			continue
		}
		if err := checkAddr(b.val); err != nil {
			return fail("cluster.%s %q: %v", b.key, b.val, err)
		}
	}
	if c.DataDir == "" {
		return fail("cluster.data_dir is missing: the folder for Raft state, e.g. raft")
	}
	for _, f := range []struct{ key, val string }{{"ca_file", c.TLS.CAFile}, {"cert_file", c.TLS.CertFile}, {"key_file", c.TLS.KeyFile}} {
		if f.val == "" {
			return fail("cluster.tls.%s is missing: mutual TLS is required between nodes", f.key)
		}
	}
	self := false
	seen := map[string]bool{}
	for i, p := range c.Peers {
		if p.ID == "" || seen[p.ID] {
			return fail("cluster.peers[%d].id %q is empty or repeated", i, p.ID)
		}
		seen[p.ID] = true
		if err := checkAddr(p.RaftAddr); err != nil {
			return fail("cluster.peers[%d].raft_addr %q: %v", i, p.RaftAddr, err)
		}
		if err := checkAddr(p.APIAddr); err != nil {
			return fail("cluster.peers[%d].api_addr %q: %v", i, p.APIAddr, err)
		}
		if p.ID == c.NodeID {
			self = true
			if p.RaftAddr != c.RaftAddr || p.APIAddr != c.APIAddr {
				return fail("cluster.peers[%d] (%s) has addresses other than cluster.raft_addr and cluster.api_addr", i, p.ID)
			}
		}
	}
	if !self && !c.Observer {
		return fail("cluster.peers does not list this node (%s)", c.NodeID)
	}
	// Every number has a range, named in the error: a value outside it
	// would stall or flood the node rather than fail clearly.
	if c.MaxBlockManifests == 0 {
		c.MaxBlockManifests = DefaultMaxBlockManifests
	}
	if c.MaxBlockManifests < 1 || c.MaxBlockManifests > 100000 {
		return fail("cluster.max_block_manifests %d is out of range: 1 to 100000", c.MaxBlockManifests)
	}
	if c.SnapshotEvery == 0 {
		c.SnapshotEvery = DefaultSnapshotEvery
	}
	if c.SnapshotEvery > 1e9 {
		return fail("cluster.snapshot_every %d is out of range: 1 to 1000000000 blocks", c.SnapshotEvery)
	}
	if c.TrailingLogs == 0 {
		c.TrailingLogs = DefaultTrailingLogs
	}
	if c.TrailingLogs > 1e9 {
		return fail("cluster.trailing_logs %d is out of range: 1 to 1000000000 entries", c.TrailingLogs)
	}
	var err error
	if c.window, err = durationIn("cluster.batch_window", c.BatchWindow, DefaultBatchWindow, 0, 10*time.Second, "20ms"); err != nil {
		return err
	}
	if c.commitTimeout, err = durationIn("cluster.commit_timeout", c.CommitTimeout, DefaultCommitTimeout, time.Millisecond, 10*time.Second, "50ms"); err != nil {
		return err
	}
	if c.snapInterval, err = durationIn("cluster.snapshot_interval", c.SnapshotInterval, DefaultSnapshotInterval, 100*time.Millisecond, 24*time.Hour, "30s"); err != nil {
		return err
	}
	if c.repeatEvery, err = durationIn("cluster.repeat_log_every", c.RepeatLogEvery, DefaultRepeatLogEvery, 0, 24*time.Hour, "30s"); err != nil {
		return err
	}
	return nil
}

// durationIn parses a duration option: def when empty, an error naming
// field, its example form and the range [lo, hi] otherwise.
func durationIn(field, s string, def, lo, hi time.Duration, example string) (time.Duration, error) {
	if s == "" {
		return def, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("replication: config: %s %q is not a duration such as %s", field, s, example)
	}
	if d < lo || d > hi {
		return 0, fmt.Errorf("replication: config: %s %s is out of range: %v to %v", field, s, lo, hi)
	}
	return d, nil
}

// raftListen is the address the node listens on for Raft: raft_bind,
// else raft_addr.
func (c *Config) raftListen() string {
	if c.RaftBind != "" {
		return c.RaftBind
	}
	return c.RaftAddr
}

// apiListen is the address the node listens on for the peer API:
// api_bind, else api_addr.
func (c *Config) apiListen() string {
	if c.APIBind != "" {
		return c.APIBind
	}
	return c.APIAddr
}

// Peer returns the peer with the given id.
func (c *Config) Peer(id string) (Peer, bool) {
	for _, p := range c.Peers {
		if p.ID == id {
			return p, true
		}
	}
	return Peer{}, false
}

func checkAddr(addr string) error {
	if addr == "" {
		return errors.New("missing: use host:port, e.g. 127.0.0.1:7401")
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil || host == "" || port == "" || port == "0" {
		return errors.New("not host:port with a fixed port")
	}
	return nil
}

// LoadConfigFile reads the `cluster:` section of a healthanchor.yaml,
// rejecting unknown keys in it. ok is false when the file has no such
// section.
func LoadConfigFile(path string) (cfg *Config, ok bool, err error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, false, fmt.Errorf("replication: %w", err)
	}
	var top map[string]any
	if err := yaml.Unmarshal(raw, &top); err != nil {
		return nil, false, fmt.Errorf("replication: %s: %w", path, err)
	}
	section, ok := top["cluster"]
	if !ok || section == nil {
		return nil, false, nil
	}
	again, err := yaml.Marshal(section)
	if err != nil {
		return nil, false, fmt.Errorf("replication: %s: cluster: %w", path, err)
	}
	cfg = &Config{}
	if err := yaml.UnmarshalWithOptions(again, cfg, yaml.Strict()); err != nil {
		return nil, false, fmt.Errorf("replication: %s: cluster: %s", path, yaml.FormatError(err, false, false))
	}
	if err := cfg.Validate(); err != nil {
		return nil, false, fmt.Errorf("%w (in %s)", err, path)
	}
	return cfg, true, nil
}
