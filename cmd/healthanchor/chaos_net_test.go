//go:build chaos

package main

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// chaosNet is the network between the chaos test's nodes: one TCP proxy
// per node and port (Raft, peer API) listening on the address its peers
// dial (raft_addr, api_addr) and forwarding bytes to where the node
// listens (raft_bind, api_bind). TLS stays end to end; the proxy never
// reads the bytes. It delays, resets and refuses connections per link:
// the node at the other end of a connection is found from the dialing
// socket's owner process (/proc), so a link is a pair of node ids.
// Connections from other processes (the test's own CLI calls) pass
// untouched.
type chaosNet struct {
	mu      sync.Mutex
	owners  map[int]string // pid -> node id (serve or run processes)
	cut     map[link]int   // pairs that refuse and lose every connection (cuts in force)
	delay   map[link]time.Duration
	conns   map[*proxied]struct{}
	proxies []*chaosProxy

	refused, reset atomic.Int64 // connections refused by a cut, reset by a fault
}

// link is an unordered pair of node ids.
type link struct{ a, b string }

func linkOf(x, y string) link {
	if x > y {
		x, y = y, x
	}
	return link{x, y}
}

// proxied is one forwarded connection.
type proxied struct {
	src, dst     string // src is "" for a process that is not a node
	client, node net.Conn
}

func (p *proxied) close() {
	// Linger 0: the peers see a reset, as after a lost route.
	for _, c := range []net.Conn{p.client, p.node} {
		if tc, ok := c.(*net.TCPConn); ok {
			tc.SetLinger(0)
		}
		c.Close()
	}
}

func newChaosNet() *chaosNet {
	return &chaosNet{owners: map[int]string{}, cut: map[link]int{}, delay: map[link]time.Duration{}, conns: map[*proxied]struct{}{}}
}

// chaosProxy forwards one listening address to one node's port.
type chaosProxy struct {
	net    *chaosNet
	ln     net.Listener
	dst    string // node id
	target string // host:port the node listens on
}

// listen starts forwarding addr to target, a port of node dst.
func (cn *chaosNet) listen(addr, target, dst string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("chaos proxy %s -> %s: %w", addr, target, err)
	}
	p := &chaosProxy{net: cn, ln: ln, dst: dst, target: target}
	cn.mu.Lock()
	cn.proxies = append(cn.proxies, p)
	cn.mu.Unlock()
	go p.accept()
	return nil
}

// close stops every proxy and closes every connection.
func (cn *chaosNet) close() {
	cn.mu.Lock()
	proxies, conns := cn.proxies, cn.conns
	cn.proxies, cn.conns = nil, map[*proxied]struct{}{}
	cn.mu.Unlock()
	for _, p := range proxies {
		p.ln.Close()
	}
	for c := range conns {
		c.close()
	}
}

// own records that pid acts as node id; forget drops it.
func (cn *chaosNet) own(pid int, id string) {
	cn.mu.Lock()
	cn.owners[pid] = id
	cn.mu.Unlock()
}

func (cn *chaosNet) forget(pid int) {
	cn.mu.Lock()
	delete(cn.owners, pid)
	cn.mu.Unlock()
}

// setCut cuts the link between a and b (open connections are reset and
// new ones refused), or lifts one cut: the link is whole again when every
// cut on it is lifted.
func (cn *chaosNet) setCut(a, b string, on bool) {
	l := linkOf(a, b)
	cn.mu.Lock()
	if on {
		cn.cut[l]++
	} else if cn.cut[l]--; cn.cut[l] <= 0 {
		delete(cn.cut, l)
	}
	cn.mu.Unlock()
	if on {
		cn.resetLink(a, b)
	}
}

// setDelay adds d of latency to every chunk of bytes on the link, both
// ways (0 removes it).
func (cn *chaosNet) setDelay(a, b string, d time.Duration) {
	cn.mu.Lock()
	if d > 0 {
		cn.delay[linkOf(a, b)] = d
	} else {
		delete(cn.delay, linkOf(a, b))
	}
	cn.mu.Unlock()
}

// resetLink resets the open connections between a and b and returns
// how many.
func (cn *chaosNet) resetLink(a, b string) int {
	l := linkOf(a, b)
	var victims []*proxied
	cn.mu.Lock()
	for c := range cn.conns {
		if c.src != "" && linkOf(c.src, c.dst) == l {
			victims = append(victims, c)
			delete(cn.conns, c)
		}
	}
	cn.mu.Unlock()
	for _, c := range victims {
		c.close()
	}
	cn.reset.Add(int64(len(victims)))
	return len(victims)
}

// healAll removes every cut and delay.
func (cn *chaosNet) healAll() {
	cn.mu.Lock()
	cn.cut, cn.delay = map[link]int{}, map[link]time.Duration{}
	cn.mu.Unlock()
}

func (cn *chaosNet) linkState(src, dst string) (cut bool, delay time.Duration) {
	if src == "" {
		return false, 0
	}
	cn.mu.Lock()
	defer cn.mu.Unlock()
	l := linkOf(src, dst)
	return cn.cut[l] > 0, cn.delay[l]
}

func (p *chaosProxy) accept() {
	for {
		conn, err := p.ln.Accept()
		if err != nil {
			return
		}
		go p.serve(conn)
	}
}

func (p *chaosProxy) serve(client net.Conn) {
	src := p.net.ownerOf(client.RemoteAddr(), p.ln.Addr())
	if cut, _ := p.net.linkState(src, p.dst); cut {
		p.net.refused.Add(1)
		if tc, ok := client.(*net.TCPConn); ok {
			tc.SetLinger(0)
		}
		client.Close()
		return
	}
	node, err := net.DialTimeout("tcp", p.target, 3*time.Second)
	if err != nil {
		client.Close() // the node is down: as a refused connection
		return
	}
	c := &proxied{src: src, dst: p.dst, client: client, node: node}
	p.net.mu.Lock()
	if p.net.proxies == nil {
		p.net.mu.Unlock()
		c.close()
		return
	}
	p.net.conns[c] = struct{}{}
	p.net.mu.Unlock()
	var once sync.Once
	done := func() {
		once.Do(func() {
			p.net.mu.Lock()
			delete(p.net.conns, c)
			p.net.mu.Unlock()
			client.Close()
			node.Close()
		})
	}
	delay := func() time.Duration { _, d := p.net.linkState(src, p.dst); return d }
	go pump(node, client, delay, done)
	go pump(client, node, delay, done)
}

// pump copies from → to, each chunk held back by the link's delay at the
// time it was read (a delay line: latency, not a bandwidth cap).
func pump(to, from net.Conn, delay func() time.Duration, done func()) {
	type chunk struct {
		b  []byte
		at time.Time
	}
	ch := make(chan chunk, 64)
	go func() {
		defer close(ch)
		for {
			buf := make([]byte, 32<<10)
			n, err := from.Read(buf)
			if n > 0 {
				ch <- chunk{buf[:n], time.Now().Add(delay())}
			}
			if err != nil {
				return
			}
		}
	}()
	for c := range ch {
		time.Sleep(time.Until(c.at))
		if _, err := to.Write(c.b); err != nil {
			break
		}
	}
	done()
	for range ch { // let the reader end once done closed its conn
	}
}

// ownerOf returns the node id of the process that owns the dialing end
// of a connection accepted on local, "" when it is not a known node
// process. It finds the socket whose local address is remote and whose
// peer is local in /proc/net/tcp, then the process holding that socket.
func (cn *chaosNet) ownerOf(remote, local net.Addr) string {
	ra, ok1 := remote.(*net.TCPAddr)
	la, ok2 := local.(*net.TCPAddr)
	if !ok1 || !ok2 {
		return ""
	}
	inode := socketInode(ra.Port, la.Port)
	if inode == "" {
		return ""
	}
	cn.mu.Lock()
	owners := make(map[int]string, len(cn.owners))
	for pid, id := range cn.owners {
		owners[pid] = id
	}
	cn.mu.Unlock()
	want := "socket:[" + inode + "]"
	for pid, id := range owners {
		fds, _ := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
		for _, fd := range fds {
			if l, err := os.Readlink(filepath.Join(fmt.Sprintf("/proc/%d/fd", pid), fd.Name())); err == nil && l == want {
				return id
			}
		}
	}
	return ""
}

// socketInode returns the inode of the TCP socket with local port lport
// connected to remote port rport (loopback), "" if none.
func socketInode(lport, rport int) string {
	for _, table := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		f, err := os.Open(table)
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			fields := strings.Fields(sc.Text())
			if len(fields) < 10 {
				continue
			}
			if hexPort(fields[1]) == lport && hexPort(fields[2]) == rport {
				f.Close()
				return fields[9]
			}
		}
		f.Close()
	}
	return ""
}

// hexPort reads the port of a /proc/net/tcp address (ADDR:PORT in hex).
func hexPort(addr string) int {
	i := strings.LastIndexByte(addr, ':')
	if i < 0 {
		return -1
	}
	p, err := strconv.ParseUint(addr[i+1:], 16, 32)
	if err != nil {
		return -1
	}
	return int(p)
}
