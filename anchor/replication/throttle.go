package replication

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// logRepeated is the log key counting the lines a throttle suppressed
// since the last one it let through.
const logRepeated = "repeated"

// throttle rate-limits log lines that repeat while a peer stays down: the
// first line of a key (a kind of failure and a peer) is written at once,
// later ones at most once per interval, each with repeated=K counting the
// lines suppressed since the previous one. A node alone thus writes a
// line per unreachable peer and kind every interval, not several a second.
type throttle struct {
	every time.Duration
	now   func() time.Time

	mu   sync.Mutex
	seen map[string]*throttled
}

type throttled struct {
	last       time.Time
	suppressed int
}

func newThrottle(every time.Duration) *throttle {
	return &throttle{every: every, now: time.Now, seen: map[string]*throttled{}}
}

// allow says whether a line of key may be written now and, if so, how
// many lines of that key were suppressed since the last one written.
func (t *throttle) allow(key string) (repeated int, ok bool) {
	now := t.now()
	t.mu.Lock()
	defer t.mu.Unlock()
	s, found := t.seen[key]
	if !found {
		t.seen[key] = &throttled{last: now}
		return 0, true
	}
	if now.Sub(s.last) < t.every {
		s.suppressed++
		return 0, false
	}
	repeated = s.suppressed
	s.last, s.suppressed = now, 0
	return repeated, true
}

// log writes msg through logger at level unless the throttle holds back
// key; a line written after suppressed ones carries repeated=K.
func (t *throttle) log(logger *slog.Logger, level slog.Level, key, msg string, args ...any) {
	repeated, ok := t.allow(key)
	if !ok {
		return
	}
	if repeated > 0 {
		args = append(args, logRepeated, repeated)
	}
	logger.Log(context.Background(), level, msg, args...)
}

// warnEvery logs a repeated warning about peer (kind names what failed)
// at most once per the throttle's interval.
func (n *Node) warnEvery(kind, peer, msg string, args ...any) {
	if peer != "" {
		args = append([]any{logPeer, peer}, args...)
	}
	n.throttle.log(n.logger, slog.LevelWarn, kind+"\x00"+peer, msg, args...)
}
