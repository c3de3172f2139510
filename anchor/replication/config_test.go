package replication

import (
	"strings"
	"testing"
)

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
