package replication

import (
	"errors"
	"fmt"
	"testing"
	"time"
)

// codedErr is an error with an SQLite result code, as the driver's.
type codedErr int

func (e codedErr) Error() string { return fmt.Sprintf("sqlite error %d", int(e)) }
func (e codedErr) Code() int     { return int(e) }

// TestStableStoreWaitsWhileDiskFull checks that a stable-store write
// failing with SQLITE_FULL (plain or extended) is retried until it
// succeeds, that another error is returned at once, and that closing the
// store ends the wait.
func TestStableStoreWaitsWhileDiskFull(t *testing.T) {
	s := &raftStore{closing: make(chan struct{}), backoff: time.Millisecond}
	calls := 0
	err := s.whileFull("stable store", func() error {
		calls++
		switch calls {
		case 1:
			return fmt.Errorf("exec: %w", codedErr(13))
		case 2:
			return codedErr(13 | 3<<8) // an extended SQLITE_FULL code
		}
		return nil
	})
	if err != nil || calls != 3 {
		t.Fatalf("whileFull: %v after %d writes, want success after 3", err, calls)
	}

	calls = 0
	err = s.whileFull("stable store", func() error { calls++; return codedErr(10) }) // SQLITE_IOERR
	if !errors.Is(err, codedErr(10)) || calls != 1 {
		t.Fatalf("another error: %v after %d writes, want it returned after 1", err, calls)
	}

	done := make(chan error, 1)
	go func() { done <- s.whileFull("stable store", func() error { return codedErr(13) }) }()
	time.Sleep(20 * time.Millisecond)
	close(s.closing)
	select {
	case err := <-done:
		if !isDiskFull(err) {
			t.Fatalf("closed while full: %v, want the disk-full error", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("closing the store did not end the wait")
	}
}
