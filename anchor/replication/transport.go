package replication

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/raft"
)

// rpcTransport is Raft's transport over mutual TLS, with every incoming
// RPC authenticated by the certificate of the connection it came on.
//
// hashicorp/raft's NetworkTransport hands RPCs to Raft without saying
// which connection carried them, so the server half is split by peer:
// the TLS listener reads each connection's certificate common name and
// routes the connection to a NetworkTransport of that peer alone; an RPC
// read there is checked (authorizeRPC) against that name before Raft
// sees it, and a refused one is answered with an error. The client half
// (dialing peers) is one NetworkTransport whose stream never accepts.
type rpcTransport struct {
	*raft.NetworkTransport // the client half: AppendEntries, RequestVote, ... to peers

	ln        net.Listener
	logger    *slog.Logger
	netLog    hclog.Logger
	timeout   time.Duration
	senders   func() map[string]string // voting members' ids -> raft addresses
	consumeCh chan raft.RPC
	done      chan struct{}
	closeOnce sync.Once

	mu        sync.Mutex
	peers     map[string]*peerListener  // nil once closed
	conns     map[*trackedConn]struct{} // open incoming connections, closed by Close
	heartbeat func(raft.RPC)
	lastWarn  map[string]time.Time // refusal log lines, one per sender and claim every refusalLogEvery

	// contacts, when set, records which peers answer or send RPCs.
	contacts *contacts
}

var (
	_ raft.Transport   = (*rpcTransport)(nil)
	_ raft.WithPreVote = (*rpcTransport)(nil)
	_ raft.WithClose   = (*rpcTransport)(nil)
)

const (
	handshakeTimeout = 10 * time.Second
	refusalLogEvery  = 10 * time.Second
)

// newRPCTransport listens on addr with cfg. advertise is the node's raft
// address as its peers know it (cluster.raft_addr), sent in every RPC;
// senders returns who may send RPCs now: the voting members' ids and
// configured raft addresses. Raft's own log lines pass through th, and cs
// (when not nil) records which peers answer; both may be nil.
func newRPCTransport(addr, advertise string, cfg *tls.Config, senders func() map[string]string, logger *slog.Logger, th *throttle, cs *contacts) (*rpcTransport, error) {
	ln, err := tls.Listen("tcp", addr, cfg)
	if err != nil {
		return nil, fmt.Errorf("replication: raft listener: %w", err)
	}
	t := &rpcTransport{
		ln: ln, logger: logger, netLog: raftLogger(logger, "raft-net", th), timeout: 5 * time.Second, senders: senders,
		consumeCh: make(chan raft.RPC), done: make(chan struct{}), peers: map[string]*peerListener{}, conns: map[*trackedConn]struct{}{}, lastWarn: map[string]time.Time{}, contacts: cs,
	}
	t.NetworkTransport = raft.NewNetworkTransportWithConfig(&raft.NetworkTransportConfig{
		Stream:  &dialOnly{addr: advertiseAddr(advertise), cfg: cfg, done: make(chan struct{})},
		MaxPool: 3, Timeout: t.timeout, Logger: t.netLog,
	})
	go t.accept()
	return t, nil
}

// Consumer returns the RPCs that passed authentication.
func (t *rpcTransport) Consumer() <-chan raft.RPC { return t.consumeCh }

// SetHeartbeatHandler sets Raft's fast path for heartbeats, which are
// authenticated like every other RPC.
func (t *rpcTransport) SetHeartbeatHandler(cb func(raft.RPC)) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.heartbeat = cb
}

// Close stops listening, closes every peer's connections and the client
// half.
func (t *rpcTransport) Close() error {
	t.closeOnce.Do(func() {
		// The peers' transports first, so that their accept loops see
		// them shut down when their stream closes (below, with done).
		t.mu.Lock()
		peers, conns := t.peers, t.conns
		t.peers, t.conns = nil, nil
		t.mu.Unlock()
		for _, p := range peers {
			p.trans.Close()
		}
		close(t.done)
		t.ln.Close()
		for c := range conns {
			c.Conn.Close()
		}
		t.NetworkTransport.Close()
	})
	return nil
}

// accept routes each TLS connection to its peer's transport once the
// handshake (which checks the CA and the admitted ids) is done.
func (t *rpcTransport) accept() {
	delay := 5 * time.Millisecond
	for {
		conn, err := t.ln.Accept()
		if err != nil {
			select {
			case <-t.done:
				return
			case <-time.After(delay):
				delay = min(2*delay, time.Second)
				continue
			}
		}
		delay = 5 * time.Millisecond
		go t.route(conn)
	}
}

func (t *rpcTransport) route(conn net.Conn) {
	tc, ok := conn.(*tls.Conn)
	if !ok {
		conn.Close()
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), handshakeTimeout)
	err := tc.HandshakeContext(ctx)
	cancel()
	if err != nil {
		t.logger.Debug("raft connection refused at handshake", "remote", conn.RemoteAddr().String(), logErr, err)
		conn.Close()
		return
	}
	id := tc.ConnectionState().PeerCertificates[0].Subject.CommonName
	p := t.peer(id)
	if p == nil {
		conn.Close()
		return
	}
	tracked := &trackedConn{Conn: conn, t: t}
	t.mu.Lock()
	if t.conns == nil {
		t.mu.Unlock()
		conn.Close()
		return
	}
	t.conns[tracked] = struct{}{}
	t.mu.Unlock()
	select {
	case p.conns <- tracked:
	case <-t.done:
		tracked.Close()
	}
}

// trackedConn is an incoming connection that Close can reach.
type trackedConn struct {
	net.Conn
	t *rpcTransport
}

// Close closes the connection and forgets it.
func (c *trackedConn) Close() error {
	c.t.mu.Lock()
	delete(c.t.conns, c)
	c.t.mu.Unlock()
	return c.Conn.Close()
}

// peer returns the transport of the certificate id, starting it on
// first use; nil once closed.
func (t *rpcTransport) peer(id string) *peerListener {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.peers == nil {
		return nil // closed
	}
	if p, ok := t.peers[id]; ok {
		return p
	}
	p := &peerListener{addr: t.ln.Addr(), conns: make(chan net.Conn), done: t.done}
	p.trans = raft.NewNetworkTransportWithConfig(&raft.NetworkTransportConfig{Stream: p, Timeout: t.timeout, Logger: t.netLog})
	p.trans.SetHeartbeatHandler(func(rpc raft.RPC) { t.deliver(id, rpc, true) })
	go func() {
		for {
			select {
			case rpc := <-p.trans.Consumer():
				t.deliver(id, rpc, false)
			case <-t.done:
				return
			}
		}
	}()
	t.peers[id] = p
	return p
}

// deliver hands an RPC read from certificate id's connection to Raft if
// authorizeRPC allows it, and answers it with the refusal otherwise.
func (t *rpcTransport) deliver(id string, rpc raft.RPC, heartbeat bool) {
	if err := authorizeRPC(id, rpc.Command, t.senders()); err != nil {
		kind, h := rpcClaim(rpc.Command)
		t.warnRefused(id, kind, h, err)
		rpc.Respond(nil, err)
		return
	}
	t.contacts.ok(id)
	if heartbeat {
		t.mu.Lock()
		fn := t.heartbeat
		t.mu.Unlock()
		if fn != nil {
			fn(rpc)
			return
		}
	}
	select {
	case t.consumeCh <- rpc:
	case <-t.done:
		rpc.Respond(nil, raft.ErrTransportShutdown)
	}
}

func (t *rpcTransport) warnRefused(id, kind string, h raft.RPCHeader, err error) {
	key := fmt.Sprintf("%s\x00%s\x00%s\x00%s", id, kind, h.ID, h.Addr)
	now := time.Now()
	t.mu.Lock()
	if now.Sub(t.lastWarn[key]) < refusalLogEvery {
		t.mu.Unlock()
		return
	}
	t.lastWarn[key] = now
	t.mu.Unlock()
	t.logger.Warn("raft rpc refused", logPeer, id, "rpc", kind, "claimed_id", string(h.ID), "claimed_addr", string(h.Addr), logErr, err)
}

// ErrRPCRefused is the error a refused Raft RPC is answered with: its
// sender's certificate does not match what the RPC claims, or the sender
// is not a voting member. The sender's Raft sees it as a failed RPC.
var ErrRPCRefused = errors.New("replication: raft rpc refused")

// rpcClaim returns what an RPC claims about its sender: its kind and
// its header (server id and raft address); kind is "" for anything else.
// The older address fields (AppendEntriesRequest.Leader, ...) are not
// read: Raft ignores them when the header names an address, which the
// rule requires.
func rpcClaim(cmd any) (string, raft.RPCHeader) {
	switch c := cmd.(type) {
	case *raft.AppendEntriesRequest:
		return "AppendEntries", c.RPCHeader
	case *raft.RequestVoteRequest:
		return "RequestVote", c.RPCHeader
	case *raft.RequestPreVoteRequest:
		return "RequestPreVote", c.RPCHeader
	case *raft.InstallSnapshotRequest:
		return "InstallSnapshot", c.RPCHeader
	case *raft.TimeoutNowRequest:
		return "TimeoutNow", c.RPCHeader
	}
	return "", raft.RPCHeader{}
}

// authorizeRPC is the rule every incoming Raft RPC passes: the server id
// it claims is the common name of the certificate that sent it (id), the
// address it claims is that server's configured raft address, and the
// sender is a voting member (senders: id -> raft address). Every RPC
// Raft exchanges (AppendEntries, heartbeats, InstallSnapshot, TimeoutNow,
// RequestVote, RequestPreVote) comes from a leader or a candidate, so an
// observer never sends one.
func authorizeRPC(id string, cmd any, senders map[string]string) error {
	kind, h := rpcClaim(cmd)
	if kind == "" {
		return fmt.Errorf("%w: %T from %q is not a Raft request", ErrRPCRefused, cmd, id)
	}
	if string(h.ID) != id {
		return fmt.Errorf("%w: %s from certificate %q claims server id %q", ErrRPCRefused, kind, id, h.ID)
	}
	addr, ok := senders[id]
	switch {
	case !ok:
		return fmt.Errorf("%w: %s from %q, which is not a voting member", ErrRPCRefused, kind, id)
	case string(h.Addr) != addr:
		return fmt.Errorf("%w: %s from %q claims address %q, its raft address is %q", ErrRPCRefused, kind, id, h.Addr, addr)
	}
	return nil
}

// peerListener is the stream of one certificate id's connections; its
// NetworkTransport only serves, never dials.
type peerListener struct {
	addr  net.Addr
	conns chan net.Conn
	done  chan struct{}
	trans *raft.NetworkTransport
}

func (p *peerListener) Accept() (net.Conn, error) {
	select {
	case c := <-p.conns:
		return c, nil
	case <-p.done:
		return nil, net.ErrClosed
	}
}

func (p *peerListener) Close() error   { return nil }
func (p *peerListener) Addr() net.Addr { return p.addr }

func (p *peerListener) Dial(raft.ServerAddress, time.Duration) (net.Conn, error) {
	return nil, errors.New("replication: a peer's serving transport does not dial")
}

// dialOnly is the client half's stream: it dials peers over mutual TLS
// and never accepts (the listener is rpcTransport's). Its address is the
// one Raft puts in every RPC it sends.
type dialOnly struct {
	addr      net.Addr
	cfg       *tls.Config
	done      chan struct{}
	closeOnce sync.Once
}

func (s *dialOnly) Accept() (net.Conn, error) {
	<-s.done
	return nil, net.ErrClosed
}

func (s *dialOnly) Close() error {
	s.closeOnce.Do(func() { close(s.done) })
	return nil
}

func (s *dialOnly) Addr() net.Addr { return s.addr }

// Dial opens a mutual-TLS connection to a peer's Raft address, failing
// when the handshake does (wrong CA, not a member).
func (s *dialOnly) Dial(addr raft.ServerAddress, timeout time.Duration) (net.Conn, error) {
	d := &net.Dialer{Timeout: timeout}
	conn, err := tls.DialWithDialer(d, "tcp", string(addr), dialConfig(s.cfg, string(addr)))
	if err != nil {
		return nil, fmt.Errorf("replication: dial %s: %w", addr, err)
	}
	return conn, nil
}

// advertiseAddr is a configured host:port as a net.Addr.
type advertiseAddr string

func (a advertiseAddr) Network() string { return "tcp" }
func (a advertiseAddr) String() string  { return string(a) }
