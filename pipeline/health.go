package pipeline

import (
	"encoding/json"
	"net/http"

	"github.com/healthanchor/healthanchor/anchor/replication"
)

// healthHandler serves /healthz. A single node is ready when its chain
// store reads. A cluster node (cluster set) is ready when, besides, it
// reaches a quorum of the voters and applies blocks (replication.Health);
// otherwise it answers 503 with the reason and its view of every peer,
// so that a load balancer or an orchestrator stops sending it work.
func (n *Node) healthHandler(scheduled int, cluster func() replication.Health) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		head, err := n.Chain.Head(r.Context())
		if err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			json.NewEncoder(w).Encode(map[string]string{"status": "error", "error": err.Error()})
			return
		}
		body := map[string]any{"status": "ok", "chain_height": head.Height, "jobs_scheduled": scheduled}
		if cluster == nil {
			json.NewEncoder(w).Encode(body)
			return
		}
		h := cluster()
		body["cluster"] = h
		if !h.Ready {
			body["status"], body["reason"] = "unavailable", h.Reason
			w.WriteHeader(http.StatusServiceUnavailable)
		}
		json.NewEncoder(w).Encode(body)
	}
}
