package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/healthanchor/healthanchor/anchor/replication"
	"github.com/healthanchor/healthanchor/pipeline"
)

// healthz is one answer of a node's /healthz.
type healthz struct {
	code    int
	Status  string             `json:"status"`
	Reason  string             `json:"reason"`
	Cluster replication.Health `json:"cluster"`
}

// getHealthz asks nd's daemon listener for /healthz; code is 0 when it
// does not answer.
func getHealthz(t *testing.T, nd *clusterNode) healthz {
	t.Helper()
	body, code := getDaemon(t, nd, "/healthz")
	var h healthz
	if code != 0 {
		if err := json.Unmarshal([]byte(body), &h); err != nil {
			t.Fatalf("%s /healthz: %v: %s", nd.id, err, body)
		}
	}
	h.code = code
	return h
}

// getDaemon GETs path from nd's daemon listener (its config's listen).
func getDaemon(t *testing.T, nd *clusterNode, path string) (string, int) {
	t.Helper()
	cfg, err := pipeline.LoadConfig(nd.config)
	if err != nil {
		t.Fatal(err)
	}
	c := http.Client{Timeout: 5 * time.Second}
	resp, err := c.Get("http://" + cfg.Listen + path)
	if err != nil {
		return "", 0
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return string(raw), resp.StatusCode
}

// member returns id's entry in st.
func member(st replication.Status, id string) replication.MemberStatus {
	for _, m := range st.Members {
		if m.ID == id {
			return m
		}
	}
	return replication.MemberStatus{}
}

// TestClusterHealth kills the nodes of a three-node cluster one by one:
// with one down the others stay ready and show it unreachable with a
// growing last-contact age; with two down the last one answers 503 with
// the reason, and logs at most a few lines about its peers while alone.
func TestClusterHealth(t *testing.T) {
	tc := newTestCluster(t, 3)
	lead := tc.leader(tc.nodes)
	followers := others(tc.nodes, lead)
	for _, nd := range tc.nodes {
		tc.waitFor(nd.id+" ready", 15*time.Second, func() bool { return getHealthz(t, nd).code == http.StatusOK })
	}
	// Every node has heard from every other (followers hear from each
	// other through the checkpoint exchange, once a second) before one
	// is killed: otherwise "never heard from" is the right answer.
	for _, nd := range tc.nodes {
		tc.waitFor(nd.id+" hearing from every peer", 15*time.Second, func() bool {
			st, ok := tc.status(nd)
			if !ok {
				return false
			}
			for _, other := range tc.nodes {
				if other != nd && member(st, other.id).Reachability != replication.Reachable {
					return false
				}
			}
			return true
		})
	}

	// One of three down: a quorum of two remains.
	dead := followers[0]
	tc.kill(dead)
	alive := others(tc.nodes, dead)
	var ages []float64
	tc.waitFor(dead.id+" unreachable on every other node", 15*time.Second, func() bool {
		for _, nd := range alive {
			st, ok := tc.status(nd)
			if !ok || member(st, dead.id).Reachability != replication.Unreachable {
				return false
			}
		}
		return true
	})
	for range 2 {
		st, _ := tc.status(lead)
		m := member(st, dead.id)
		if m.LastContactSeconds == nil {
			t.Fatalf("the leader shows no last contact for %s: %+v", dead.id, m)
		}
		ages = append(ages, *m.LastContactSeconds)
		time.Sleep(time.Second)
	}
	if ages[1] <= ages[0] {
		t.Errorf("%s's last-contact age does not grow: %v", dead.id, ages)
	}
	for _, nd := range alive {
		if h := getHealthz(t, nd); h.code != http.StatusOK || !h.Cluster.Ready || h.Cluster.ReachedVoters != 2 {
			t.Errorf("%s with one node of three down: /healthz %d %+v, want 200 ready with 2 voters reached", nd.id, h.code, h)
		}
	}
	r := ha(t, nil, "--config", followers[1].config, "chain", "status")
	mustCode(t, r, 0, "chain status")
	for _, want := range []string{"ready: reaches a quorum", dead.id, "unreachable, last contact"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("chain status does not say %q:\n%s", want, r.stdout)
		}
	}

	// Two of three down: the last node has no quorum.
	tc.kill(followers[1])
	var h healthz
	tc.waitFor(lead.id+" not ready", 15*time.Second, func() bool {
		h = getHealthz(t, lead)
		return h.code == http.StatusServiceUnavailable
	})
	if h.Status != "unavailable" || h.Reason == "" || h.Cluster.Ready {
		t.Errorf("alone: /healthz says %+v, want status unavailable with a reason", h)
	}
	t.Logf("alone: /healthz 503: %s", h.Reason)
	r = ha(t, nil, "--config", lead.config, "chain", "status")
	if !strings.Contains(r.stdout, "NOT READY: ") {
		t.Errorf("chain status of the lone node does not say NOT READY:\n%s", r.stdout)
	}
	metrics, _ := getDaemon(t, lead, "/metrics")
	for _, want := range []string{fmt.Sprintf("healthanchor_peer_reachable{peer=%q} 0", dead.id), "healthanchor_replica_ready 0", "healthanchor_peer_last_contact_seconds{peer="} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}

	// Ten seconds alone: a few lines about the peers, not several a second.
	logPath := filepath.Join(lead.dir, "node.log")
	before, _ := os.ReadFile(logPath)
	time.Sleep(10 * time.Second)
	after, _ := os.ReadFile(logPath)
	var about []string
	for _, line := range strings.Split(string(after[len(before):]), "\n") {
		for _, p := range followers {
			if strings.Contains(line, p.id) || strings.Contains(line, p.cfg.RaftAddr) || strings.Contains(line, p.cfg.APIAddr) {
				about = append(about, line)
				break
			}
		}
	}
	t.Logf("alone for 10s: %d log lines about its peers", len(about))
	if len(about) > 4 {
		t.Errorf("alone for 10s, the node logged %d lines about its peers, want at most 4:\n%s", len(about), strings.Join(about, "\n"))
	}
}
