package replication

import (
	"context"
	"net/http"
	"time"
)

// leaderViewTimeout bounds how long a follower's status waits for the
// leader's view of the peers.
const leaderViewTimeout = time.Second

// withLeaderView completes a follower's status with what only the leader
// knows: how many Raft entries each node is behind, and whether the
// peers this node exchanges nothing with (observers) answer. Those
// entries name the leader in SeenBy. Without an answer from the leader
// within leaderViewTimeout the status is left as this node sees it.
func (n *Node) withLeaderView(ctx context.Context, s *Status) {
	if s.Role == "leader" || s.Leader == "" {
		return
	}
	addr := n.peerAPI(s.Leader)
	if addr == "" {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, leaderViewTimeout)
	defer cancel()
	var ls Status
	if err := n.client.do(ctx, http.MethodGet, addr, "/v1/status?view=local", nil, &ls, nil); err != nil || ls.Role != "leader" {
		return
	}
	seen := map[string]PeerReach{}
	for _, m := range ls.Members {
		seen[m.ID] = m.PeerReach
	}
	for i := range s.Members {
		m := &s.Members[i]
		l, ok := seen[m.ID]
		if !ok || l.Reachability == Self {
			continue
		}
		if m.Reachability == Unknown && l.Reachability != "" {
			m.PeerReach = l
			m.SeenBy = s.Leader
			continue
		}
		if m.LagEntries == nil && l.LagEntries != nil {
			m.LagEntries = l.LagEntries
		}
	}
}
