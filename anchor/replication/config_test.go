package replication

import (
	"strings"
	"testing"
	"time"
)

// TestConfigRanges: every number of the cluster section has a range, and
// a value outside it is an error naming the key and the range.
func TestConfigRanges(t *testing.T) {
	base := func() Config {
		return Config{NodeID: "a", RaftAddr: "127.0.0.1:7001", APIAddr: "127.0.0.1:7002", DataDir: "raft",
			TLS:   TLSFiles{CAFile: "ca", CertFile: "c", KeyFile: "k"},
			Peers: []Peer{{ID: "a", RaftAddr: "127.0.0.1:7001", APIAddr: "127.0.0.1:7002"}}}
	}
	ok := base()
	if err := ok.Validate(); err != nil {
		t.Fatalf("a valid config: %v", err)
	}
	if got := raftConfig(ok, raftLoggerDiscard()).CommitTimeout; got != DefaultCommitTimeout {
		t.Errorf("Raft's CommitTimeout by default: %v, want %v", got, DefaultCommitTimeout)
	}
	ok.CommitTimeout = "50ms"
	if err := ok.Validate(); err != nil || raftConfig(ok, raftLoggerDiscard()).CommitTimeout != 50*time.Millisecond {
		t.Errorf("commit_timeout 50ms: %v, Raft's CommitTimeout %v", err, raftConfig(ok, raftLoggerDiscard()).CommitTimeout)
	}
	for _, tc := range []struct {
		edit func(*Config)
		want string
	}{
		{func(c *Config) { c.MaxBlockManifests = -1 }, "cluster.max_block_manifests -1 is out of range: 1 to 100000"},
		{func(c *Config) { c.MaxBlockManifests = 1 << 40 }, "cluster.max_block_manifests"},
		{func(c *Config) { c.SnapshotEvery = 1 << 40 }, "cluster.snapshot_every"},
		{func(c *Config) { c.TrailingLogs = 1 << 40 }, "cluster.trailing_logs"},
		{func(c *Config) { c.BatchWindow = "-5s" }, "cluster.batch_window -5s is out of range: 0s to 10s"},
		{func(c *Config) { c.BatchWindow = "1h" }, "cluster.batch_window 1h is out of range"},
		{func(c *Config) { c.BatchWindow = "soon" }, `cluster.batch_window "soon" is not a duration`},
		{func(c *Config) { c.SnapshotInterval = "1ns" }, "cluster.snapshot_interval 1ns is out of range: 100ms to 24h0m0s"},
		{func(c *Config) { c.RepeatLogEvery = "-1s" }, "cluster.repeat_log_every -1s is out of range"},
		{func(c *Config) { c.CommitTimeout = "100us" }, "cluster.commit_timeout 100us is out of range: 1ms to 10s"},
		{func(c *Config) { c.CommitTimeout = "1m" }, "cluster.commit_timeout 1m is out of range"},
	} {
		c := base()
		tc.edit(&c)
		err := c.Validate()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("got %v, want an error with %q", err, tc.want)

		}
	}
}

// TestConfigBindAddresses checks raft_bind and api_bind: optional, a
// fixed host:port when set, and what the node listens on instead of
// raft_addr and api_addr.
func TestConfigBindAddresses(t *testing.T) {
	base := func() Config {
		return Config{
			NodeID: "a", RaftAddr: "127.0.0.1:7401", APIAddr: "127.0.0.1:7402", DataDir: "raft",
			TLS:   TLSFiles{CAFile: "ca", CertFile: "crt", KeyFile: "key"},
			Peers: []Peer{{ID: "a", RaftAddr: "127.0.0.1:7401", APIAddr: "127.0.0.1:7402"}},
		}
	}
	c := base()
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if got, want := c.raftListen(), "127.0.0.1:7401"; got != want {
		t.Errorf("raft listen without raft_bind = %s, want %s", got, want)
	}
	if got, want := c.apiListen(), "127.0.0.1:7402"; got != want {
		t.Errorf("api listen without api_bind = %s, want %s", got, want)
	}
	c = base()
	c.RaftBind, c.APIBind = "0.0.0.0:9401", "0.0.0.0:9402"
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if c.raftListen() != "0.0.0.0:9401" || c.apiListen() != "0.0.0.0:9402" {
		t.Errorf("listen on %s and %s, want the bind addresses", c.raftListen(), c.apiListen())
	}
	for _, bad := range []struct{ raft, api, key string }{{"7401", "", "cluster.raft_bind"}, {"", "127.0.0.1:0", "cluster.api_bind"}} {
		c = base()
		c.RaftBind, c.APIBind = bad.raft, bad.api
		err := c.Validate()
		if err == nil || !strings.Contains(err.Error(), bad.key) {
			t.Errorf("raft_bind %q api_bind %q: error %v, want one naming %s", bad.raft, bad.api, err, bad.key)
		}
	}
}
