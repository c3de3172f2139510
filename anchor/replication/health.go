package replication

import (
	"fmt"
	"sort"
	"time"

	"github.com/hashicorp/raft"
)

// Reachability of a peer, as this node sees it.
const (
	// Reachable: the peer answered or sent a message within staleContact.
	Reachable = "reachable"
	// Unreachable: nothing from the peer within staleContact.
	Unreachable = "unreachable"
	// Unknown: this node exchanges nothing with the peer (a follower
	// and an observer: only the leader talks to observers).
	Unknown = "unknown"
	// Self is this node's own entry.
	Self = "self"
)

// Health says whether this node can serve the chain: it reaches a quorum
// of the voters and applies blocks. Ready is false with a Reason when no
// leader is known, the leader was not heard from within a few election
// timeouts, a leader reaches fewer than a quorum of voters, the state
// machine halted on fork evidence, or the local store is corrupt.
type Health struct {
	Ready  bool   `json:"ready"`
	Reason string `json:"reason,omitempty"`
	Role   string `json:"role"`
	Leader string `json:"leader"`
	// Voters counts the voters of the Raft configuration, ReachedVoters
	// those heard from recently (this node included), Quorum how many a
	// leader needs.
	Voters        int          `json:"voters"`
	ReachedVoters int          `json:"reached_voters"`
	Quorum        int          `json:"quorum"`
	Peers         []PeerHealth `json:"peers"`
}

// PeerHealth is this node's view of another node of the Raft
// configuration.
type PeerHealth struct {
	ID       string `json:"id"`
	Suffrage string `json:"suffrage"` // voter or observer
	PeerReach
}

// PeerReach is how a node sees one peer: whether it answers, how long
// ago it last did, and how far its Raft log is behind the leader's.
type PeerReach struct {
	// Reachability is reachable, unreachable, unknown or self.
	Reachability string `json:"reachability,omitempty"`
	// LastContactSeconds is the age of the last message exchanged with
	// the peer; absent when there was none since this node started.
	LastContactSeconds *float64 `json:"last_contact_seconds,omitempty"`
	// LagEntries is how many Raft log entries the peer is behind the
	// leader; known on the leader (and reported by followers from it).
	LagEntries *int64 `json:"lag_entries,omitempty"`
	// SeenBy names the node whose view this is when it is not this
	// node's own (a follower reports the leader's view of observers).
	SeenBy string `json:"seen_by,omitempty"`
}

// Health reports whether this node reaches a quorum of voters, with its
// view of every peer of the Raft configuration.
func (n *Node) Health() Health {
	now := n.contacts.now()
	_, leader := n.raft.LeaderWithID()
	h := Health{Ready: true, Role: n.role(), Leader: string(leader), Peers: []PeerHealth{}}
	var servers []raft.Server
	if f := n.raft.GetConfiguration(); f.Error() == nil {
		servers = f.Configuration().Servers
	}
	for _, sv := range servers {
		id := string(sv.ID)
		voter := sv.Suffrage == raft.Voter
		if voter {
			h.Voters++
		}
		if id == n.cfg.NodeID {
			if voter {
				h.ReachedVoters++
			}
			continue
		}
		p := PeerHealth{ID: id, Suffrage: "observer", PeerReach: n.reach(id, now)}
		if voter {
			p.Suffrage = "voter"
			if p.Reachability == Reachable {
				h.ReachedVoters++
			}
		}
		h.Peers = append(h.Peers, p)
	}
	sort.Slice(h.Peers, func(i, j int) bool { return h.Peers[i].ID < h.Peers[j].ID })
	h.Quorum = h.Voters/2 + 1
	h.Reason = n.notReady(h, now)
	h.Ready = h.Reason == ""
	return h
}

// notReady returns why the node cannot serve, or "".
func (n *Node) notReady(h Health, now time.Time) string {
	st := n.fsm.state()
	switch {
	case st.Corrupt != nil:
		return "local chain store corrupt: " + st.Corrupt.Error()
	case st.Halted != nil:
		return "halted on fork evidence, not applying blocks: " + st.Halted.Error()
	case h.Role == "shutdown":
		return "raft is shut down"
	case h.Voters == 0:
		return "no Raft configuration yet: waiting to be added to the cluster"
	case h.Role == "leader":
		if h.ReachedVoters < h.Quorum {
			return fmt.Sprintf("leader reaches %d of %d voters, fewer than a quorum of %d", h.ReachedVoters, h.Voters, h.Quorum)
		}
		return ""
	case h.Leader == "":
		return fmt.Sprintf("no leader known (%s): fewer than a quorum of %d of %d voters reachable", h.Role, h.Quorum, h.Voters)
	}
	if age := now.Sub(n.raft.LastContact()); age > staleContact {
		return fmt.Sprintf("leader %s not heard from for %s", h.Leader, age.Round(100*time.Millisecond))
	}
	return ""
}

// reach is this node's own view of peer id.
func (n *Node) reach(id string, now time.Time) PeerReach {
	c, ok := n.contacts.get(id)
	if !ok {
		return PeerReach{Reachability: Unknown}
	}
	r := PeerReach{Reachability: Unreachable}
	if !c.last.IsZero() {
		age := now.Sub(c.last).Seconds()
		r.LastContactSeconds = &age
		if now.Sub(c.last) <= staleContact {
			r.Reachability = Reachable
		}
	}
	if c.logKnown && n.isLeader() {
		lag := max(int64(n.raft.LastIndex())-int64(c.lastLog), 0)
		r.LagEntries = &lag
	}
	return r
}
