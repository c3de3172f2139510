package replication

import (
	"sync"
	"time"
)

// staleContact is how old a peer's last contact may be before the peer
// counts as unreachable: a few election timeouts, and more than the
// checkpoint exchange's poll interval (through which followers hear from
// each other).
const staleContact = 3 * time.Second

// contacts records, per peer id, when this node last exchanged a message
// with the peer: a Raft RPC either way (heartbeats, appends, votes) or a
// peer API call of the checkpoint exchange. The leader also learns each
// follower's last log index from its replies.
type contacts struct {
	now func() time.Time

	mu    sync.Mutex
	peers map[string]*contact
}

// contact is what this node knows of one peer.
type contact struct {
	last     time.Time // last successful exchange; zero if none
	failures int       // failed calls since then
	lastLog  uint64    // the peer's last Raft log index, from its replies
	logKnown bool
}

func newContacts() *contacts {
	return &contacts{now: time.Now, peers: map[string]*contact{}}
}

func (c *contacts) entry(id string) *contact {
	e, ok := c.peers[id]
	if !ok {
		e = &contact{}
		c.peers[id] = e
	}
	return e
}

// ok records a successful exchange with id.
func (c *contacts) ok(id string) {
	if c == nil || id == "" {
		return
	}
	now := c.now()
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.entry(id)
	e.last, e.failures = now, 0
}

// failed records a call to id that got no answer.
func (c *contacts) failed(id string) {
	if c == nil || id == "" {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.entry(id).failures++
}

// lastLog records id's last Raft log index, as its reply to an
// AppendEntries gives it.
func (c *contacts) lastLog(id string, index uint64) {
	if c == nil || id == "" {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.entry(id)
	e.lastLog, e.logKnown = index, true
}

// get returns what is known of id; ok is false when this node never
// exchanged anything with it, nor tried.
func (c *contacts) get(id string) (contact, bool) {
	if c == nil {
		return contact{}, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.peers[id]
	if !ok {
		return contact{}, false
	}
	return *e, true
}
