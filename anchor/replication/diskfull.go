package replication

import (
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// hashicorp/raft panics when its stable store cannot save the current
// term or vote (the node would otherwise forget a vote it cast), so a
// full disk would crash the node, and crash it again at every restart
// until there is room. The stable store waits instead: while SQLite
// reports the disk full, a write is retried, Raft's loop is paused (the
// node takes no part in the cluster; the others go on without it) and an
// error is logged every diskFullLogEvery; the write completes as soon as
// there is room. A write failing for another reason is returned (and
// Raft panics, as before: that is not a condition to wait out).
//
// The state machine does the same for its own writes (the applied-index
// record and the block appended to the chain store): a full disk must
// neither halt the node (which would need a restart) nor make it refuse
// a block the others stored.

const (
	diskFullLogEvery   = 10 * time.Second
	diskFullMaxBackoff = time.Second
)

// sqliteFull is SQLite's result code SQLITE_FULL (the primary code, in
// the low byte of an extended code).
const sqliteFull = 13

// isDiskFull reports whether err is SQLite's "database or disk is full".
func isDiskFull(err error) bool {
	var coded interface{ Code() int }
	return errors.As(err, &coded) && coded.Code()&0xff == sqliteFull
}

// whileFull is waitForRoom for the stable store, its errors wrapped.
func (s *raftStore) whileFull(what string, write func() error) error {
	if err := waitForRoom(s.logger, s.closing, s.maxBackoff(), what, write); err != nil {
		return fmt.Errorf("replication: %s: %w", what, err)
	}
	return nil
}

// waitForRoom runs write until it succeeds or fails for a reason other
// than a full disk (that error is returned as is), waiting between
// attempts while the disk is full; it gives up when closing is closed (a
// nil closing never is). logger may be nil.
func waitForRoom(logger *slog.Logger, closing <-chan struct{}, maxBackoff time.Duration, what string, write func() error) error {
	delay := 10 * time.Millisecond
	var since, logged time.Time
	for {
		err := write()
		switch {
		case err == nil:
			if !since.IsZero() && logger != nil {
				logger.Info("disk has room again: the node resumes", "store", what, "paused", time.Since(since).Round(time.Millisecond))
			}
			return nil
		case !isDiskFull(err):
			return err
		}
		now := time.Now()
		if since.IsZero() {
			since = now
		}
		if now.Sub(logged) >= diskFullLogEvery && logger != nil {
			logger.Error("disk full: waiting for room to write; the node takes no part in the cluster meanwhile",
				"store", what, "waiting", now.Sub(since).Round(time.Second), logErr, err)
			logged = now
		}
		select {
		case <-closing:
			return fmt.Errorf("store closed while the disk was full: %w", err)
		case <-time.After(delay):
		}
		delay = min(2*delay, maxBackoff)
	}
}

func (s *raftStore) maxBackoff() time.Duration {
	if s.backoff > 0 {
		return s.backoff
	}
	return diskFullMaxBackoff
}
