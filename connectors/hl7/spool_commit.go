package hl7

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/healthanchor/healthanchor/internal/fsutil"
)

// The committer: one goroutine per spool owns the open segment, so that
// writes are ordered and every fsync covers all that is waiting.

// run is the committer.
func (s *Spool) run() {
	defer close(s.done)
	tick := time.NewTicker(sealPoll)
	defer tick.Stop()
	for {
		select {
		case r, ok := <-s.reqs:
			if !ok {
				s.sealOpen()
				return
			}
			s.commit(s.gather(r))
		case reply := <-s.seal:
			err := s.sealOpen()
			reply <- sealResult{last: s.next - 1, err: err}
		case <-tick.C:
			if asked := sealAsked(s.dir); asked || s.f != nil && time.Since(s.openedAt) >= sealEvery {
				s.sealOpen()
				if asked {
					sealDone(s.dir)
				}
			}
		}
	}
}

// gather takes the requests waiting behind r, for one group commit.
func (s *Spool) gather(r *spoolReq) []*spoolReq {
	group := []*spoolReq{r}
	if s.opt.perMessage {
		return group
	}
	size := len(r.msg)
	for len(group) < maxGroup && size < maxGroupBytes {
		select {
		case r, ok := <-s.reqs:
			if !ok {
				return group
			}
			group = append(group, r)
			size += len(r.msg)
		default:
			return group
		}
	}
	return group
}

// commit writes a group to the open segment and fsyncs it, then releases
// the senders.
func (s *Spool) commit(group []*spoolReq) {
	err := s.write(group)
	now := time.Now()
	s.mu.Lock()
	if err != nil && s.failed == nil {
		s.failed = fmt.Errorf("hl7: spool %s: %w (the listener refuses messages until restarted)", s.dir, err)
	}
	for _, r := range group {
		r.err = err
		if err != nil {
			r.err = s.failed
		}
		if r.hasKey {
			delete(s.inflight, r.key)
			if err == nil {
				s.seen[r.key] = s.cur
			}
		}
	}
	if err == nil {
		st := s.segs[s.cur]
		st.messages += len(group)
		st.last = now
		s.segs[s.cur] = st
	}
	s.mu.Unlock()
	for _, r := range group {
		close(r.done)
	}
	if err == nil && s.size >= maxSegment {
		s.sealOpen()
	}
}

func (s *Spool) write(group []*spoolReq) error {
	if s.f == nil {
		path := filepath.Join(s.dir, segmentName(s.next, openExt))
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL|os.O_APPEND, 0o640)
		if err != nil {
			return err
		}
		// The new file's name must be durable before anything in it is
		// acknowledged.
		if err := fsutil.SyncDir(s.dir); err != nil {
			f.Close()
			return err
		}
		s.f, s.cur, s.size, s.openedAt = f, s.next, 0, time.Now()
		s.next++
	}
	s.buf = s.buf[:0]
	for _, r := range group {
		s.buf = append(s.buf, mllpStart)
		s.buf = append(s.buf, r.msg...)
		s.buf = append(s.buf, mllpEnd, mllpCR)
	}
	if _, err := s.f.Write(s.buf); err != nil {
		return err
	}
	s.size += int64(len(s.buf))
	s.commits.Add(1)
	return s.f.Sync()
}

// sealOpen seals the open segment and forgets keys past the window.
func (s *Spool) sealOpen() error {
	if s.f == nil {
		return nil
	}
	s.f.Close()
	s.f = nil
	err := sealFile(s.dir, spoolFile{seq: s.cur, path: filepath.Join(s.dir, segmentName(s.cur, openExt)), open: true})
	if err != nil {
		s.mu.Lock()
		if s.failed == nil {
			s.failed = err
		}
		s.mu.Unlock()
	}
	s.expire(time.Now().Add(-s.opt.window))
	return err
}

// expire forgets the keys of segments last written before cutoff.
func (s *Spool) expire(cutoff time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	old := map[uint64]bool{}
	for seq, st := range s.segs {
		if st.last.Before(cutoff) {
			old[seq] = true
			if seq <= s.taken {
				delete(s.segs, seq)
			}
		}
	}
	if len(old) == 0 {
		return
	}
	for k, seq := range s.seen {
		if old[seq] {
			delete(s.seen, k)
		}
	}
}
