package pipeline

import (
	"crypto/ed25519"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/healthanchor/healthanchor/anchor"
	"github.com/healthanchor/healthanchor/anchor/replication"
)

func healthNode(t *testing.T) *Node {
	t.Helper()
	key := anchor.GenerateSigningKey()
	g, err := anchor.NewGenesis("health-test", []anchor.Member{{ID: "a", Name: "a", PublicKey: anchor.EncodePublicKey(key.Public().(ed25519.PublicKey))}}, "a", key, time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "chain.db")
	if err := anchor.CreateChain(path, g); err != nil {
		t.Fatal(err)
	}
	c, err := anchor.OpenChain(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &Node{Chain: c}
}

// TestHealthz: a single node answers as it always did; a cluster node
// without a quorum answers 503 with the reason, and 200 with one.
func TestHealthz(t *testing.T) {
	n := healthNode(t)
	lost := replication.Health{Ready: false, Reason: "no leader known (candidate)", Role: "candidate", Voters: 3, ReachedVoters: 1, Quorum: 2}
	quorum := replication.Health{Ready: true, Role: "leader", Leader: "a", Voters: 3, ReachedVoters: 2, Quorum: 2}
	for _, c := range []struct {
		name       string
		cluster    func() replication.Health
		code       int
		status     string
		hasCluster bool
	}{
		{"single node", nil, http.StatusOK, "ok", false},
		{"cluster without quorum", func() replication.Health { return lost }, http.StatusServiceUnavailable, "unavailable", true},
		{"cluster with quorum", func() replication.Health { return quorum }, http.StatusOK, "ok", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			n.healthHandler(1, c.cluster)(rec, httptest.NewRequest(http.MethodGet, "/healthz", nil))
			var body map[string]any
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
				t.Fatal(err)
			}
			if rec.Code != c.code || body["status"] != c.status {
				t.Errorf("got %d %v, want %d %s", rec.Code, body["status"], c.code, c.status)
			}
			if _, ok := body["cluster"]; ok != c.hasCluster {
				t.Errorf("cluster in the answer: %v, want %v: %v", ok, c.hasCluster, body)
			}
			if c.code != http.StatusOK && body["reason"] != lost.Reason {
				t.Errorf("reason %v, want %q", body["reason"], lost.Reason)
			}
			if body["chain_height"] != float64(0) {
				t.Errorf("chain_height %v, want 0", body["chain_height"])
			}
		})
	}
}
