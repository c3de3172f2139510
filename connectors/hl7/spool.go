package hl7

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"
)

// Spool defaults.
const (
	// DefaultDedupWindow is how long a (MSH-4, MSH-10) pair is remembered
	// to recognise a resend.
	DefaultDedupWindow = 7 * 24 * time.Hour
	// sealEvery bounds how long the open segment stays open: a run from
	// another process sees messages at most this late.
	sealEvery = time.Minute
	// maxSegment seals a segment once it holds this many bytes.
	maxSegment = 64 << 20
	// maxGroup bounds one group commit.
	// sealPoll is how often the listener looks for a seal request of a
	// run in another process.
	sealPoll      = 250 * time.Millisecond
	maxGroup      = 1024
	maxGroupBytes = 8 << 20
)

// ErrSpoolClosed means the spool stopped taking messages (shutdown).
var ErrSpoolClosed = errors.New("hl7: spool: closed")

// liveSpools are the spools open in this process, by folder, so that a
// run's Plan can seal the open segment of a listener of the same job.
var liveSpools sync.Map // string -> *Spool

// dedupKey identifies a message for resend detection: SHA-256 of its
// MSH-4 and MSH-10, cut to 16 bytes.
type dedupKey [16]byte

func keyOf(h header) (dedupKey, bool) {
	id := h.field(10)
	if len(id) == 0 {
		return dedupKey{}, false
	}
	s := sha256.New()
	s.Write(h.field(4))
	s.Write([]byte{0})
	s.Write(id)
	var k dedupKey
	copy(k[:], s.Sum(nil))
	return k, true
}

// spoolOptions tune a spool.
type spoolOptions struct {
	perMessage bool          // one fsync per message, no group commit (the benchmark's baseline)
	window     time.Duration // dedup window (DefaultDedupWindow when 0)
}

// Spool stores accepted messages durably before they are acknowledged,
// and recognises resends. One goroutine (the committer) owns the open
// segment: it takes every message waiting, writes them in one write and
// one fsync (group commit), then releases their senders.
type Spool struct {
	dir  string
	lock *os.File
	opt  spoolOptions
	reqs chan *spoolReq
	seal chan chan sealResult
	done chan struct{}
	puts sync.WaitGroup
	// commits counts group commits (fsyncs).
	commits atomic.Int64

	mu       sync.Mutex
	closed   bool
	failed   error                  // a write or fsync failed: nothing more is accepted
	seen     map[dedupKey]uint64    // stored messages' keys -> segment seq
	inflight map[dedupKey]*spoolReq // keys being stored
	segs     map[uint64]segStat     // segments within the window or not yet taken
	taken    uint64                 // last segment seq a run took

	// owned by the committer
	next     uint64 // seq of the next segment
	f        *os.File
	cur      uint64 // seq of the open segment (when f != nil)
	size     int64
	openedAt time.Time
	buf      []byte
}

// segStat is what the spool knows of a segment.
type segStat struct {
	messages int
	last     time.Time // last write
}

type spoolReq struct {
	msg    []byte
	key    dedupKey
	hasKey bool
	done   chan struct{}
	err    error
}

type sealResult struct {
	last uint64 // last sealed seq
	err  error
}

// openSpool opens (creating it) the spool folder dir and takes its lock:
// one listener per spool. It seals what a crash left open and rebuilds
// the resend index from the segments of the window.
func openSpool(dir string, opt spoolOptions) (*Spool, error) {
	if opt.window <= 0 {
		opt.window = DefaultDedupWindow
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("hl7: spool: %w", err)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("hl7: spool: %w", err)
	}
	lock, ok, err := lockSpool(abs)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("hl7: spool %s: another process listens on it (one listener per spool)", abs)
	}
	s := &Spool{dir: abs, lock: lock, opt: opt, reqs: make(chan *spoolReq, maxGroup), seal: make(chan chan sealResult),
		done: make(chan struct{}), seen: map[dedupKey]uint64{}, inflight: map[dedupKey]*spoolReq{}, segs: map[uint64]segStat{}}
	if err := s.load(); err != nil {
		unlockSpool(lock)
		return nil, err
	}
	liveSpools.Store(abs, s)
	go s.run()
	return s, nil
}

// load recovers the folder and indexes its segments.
func (s *Spool) load() error {
	if err := recoverSpool(s.dir); err != nil {
		return err
	}
	s.taken = readTaken(s.dir)
	s.next = s.taken + 1
	segs, err := listSegments(s.dir)
	if err != nil {
		return err
	}
	cutoff := time.Now().Add(-s.opt.window)
	for _, seg := range segs {
		s.next = max(s.next, seg.seq+1)
		st, err := os.Stat(seg.path)
		if err != nil {
			return fmt.Errorf("hl7: spool: %w", err)
		}
		if st.ModTime().Before(cutoff) && seg.seq <= s.taken {
			continue
		}
		n, err := s.index(seg)
		if err != nil {
			return err
		}
		s.segs[seg.seq] = segStat{messages: n, last: st.ModTime()}
	}
	return nil
}

// index adds a segment's messages to the resend index.
func (s *Spool) index(seg spoolFile) (int, error) {
	f, err := os.Open(seg.path)
	if err != nil {
		return 0, fmt.Errorf("hl7: spool: %w", err)
	}
	defer f.Close()
	r := newMLLPReader(f, 1<<30) // blocks were bounded when received
	n := 0
	for {
		b, err := r.next()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return n, nil
			}
			return n, fmt.Errorf("hl7: spool: index %s: %w", seg.path, err)
		}
		n++
		if k, ok := keyOf(readHeader(b.Msg)); ok {
			s.seen[k] = seg.seq
		}
	}
}

// Dir is the spool's folder.
func (s *Spool) Dir() string { return s.dir }

// put stores msg (its header h) durably, or finds it stored already: dup
// is true for a resend of a message stored within the window (or being
// stored by another connection). It returns once msg is on disk; msg
// must stay unchanged until then.
func (s *Spool) put(msg []byte, h header) (dup bool, err error) {
	key, hasKey := keyOf(h)
	s.mu.Lock()
	switch {
	case s.closed:
		s.mu.Unlock()
		return false, ErrSpoolClosed
	case s.failed != nil:
		s.mu.Unlock()
		return false, s.failed
	}
	if hasKey {
		if _, ok := s.seen[key]; ok {
			s.mu.Unlock()
			return true, nil
		}
		if p, ok := s.inflight[key]; ok {
			s.mu.Unlock()
			<-p.done
			return p.err == nil, p.err
		}
	}
	r := &spoolReq{msg: msg, key: key, hasKey: hasKey, done: make(chan struct{})}
	if hasKey {
		s.inflight[key] = r
	}
	s.puts.Add(1)
	s.mu.Unlock()
	defer s.puts.Done()
	s.reqs <- r
	<-r.done
	return false, r.err
}

// Seal seals the open segment, if any, and returns the last sealed seq.
func (s *Spool) Seal() (uint64, error) {
	reply := make(chan sealResult, 1)
	select {
	case s.seal <- reply:
		r := <-reply
		return r.last, r.err
	case <-s.done:
		return 0, ErrSpoolClosed
	}
}

// Close stops taking messages once those being stored are on disk,
// seals the open segment and releases the folder.
func (s *Spool) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.mu.Unlock()
	s.puts.Wait()
	close(s.reqs)
	<-s.done
	liveSpools.CompareAndDelete(s.dir, s)
	unlockSpool(s.lock)
	return nil
}

// setTaken records that a run took the segments up to seq.
func (s *Spool) setTaken(seq uint64) {
	s.mu.Lock()
	s.taken = max(s.taken, seq)
	s.mu.Unlock()
}

// depth counts the messages stored and not yet taken by a run.
func (s *Spool) depth() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for seq, st := range s.segs {
		if seq > s.taken {
			n += st.messages
		}
	}
	return n
}
