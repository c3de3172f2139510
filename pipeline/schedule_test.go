package pipeline

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/robfig/cron/v3"
)

// TestRecoverInnermostKeepsJobAlive runs a job that panics on its first
// run through the same wrapper chain serve uses: it must run again.
func TestRecoverInnermostKeepsJobAlive(t *testing.T) {
	var runs atomic.Int32
	job := cron.FuncJob(func() {
		if runs.Add(1) == 1 {
			panic("boom")
		}
	})
	logger := slog.New(slog.DiscardHandler)
	wrapped := wrapJob(logger, "j", job)
	wrapped.Run()
	wrapped.Run()
	wrapped.Run()
	if got := runs.Load(); got != 3 {
		t.Fatalf("job ran %d times after a panic, want 3", got)
	}

	// The wrong order, for contrast: an outer recover leaves the
	// skip-if-running slot taken, and the job never runs again.
	var bad atomic.Int32
	outer := cron.NewChain(cron.Recover(cron.DiscardLogger), cron.SkipIfStillRunning(cron.DiscardLogger)).Then(cron.FuncJob(func() {
		if bad.Add(1) == 1 {
			panic("boom")
		}
	}))
	outer.Run()
	outer.Run()
	if got := bad.Load(); got != 1 {
		t.Logf("outer recover: the job ran %d times (robfig/cron changed?)", got)
	}
}

// TestSkipIfStillRunning fires a job while its previous run is going: the
// second firing is skipped, never run concurrently.
func TestSkipIfStillRunning(t *testing.T) {
	var running, maxRunning, runs atomic.Int32
	release := make(chan struct{})
	job := cron.FuncJob(func() {
		n := running.Add(1)
		if n > maxRunning.Load() {
			maxRunning.Store(n)
		}
		runs.Add(1)
		<-release
		running.Add(-1)
	})
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	wrapped := wrapJob(logger, "nightly-csv", job)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); wrapped.Run() }()
	for running.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	wrapped.Run() // returns at once: skipped
	close(release)
	wg.Wait()
	if runs.Load() != 1 || maxRunning.Load() != 1 {
		t.Fatalf("runs %d, at most %d at once; want 1 and 1", runs.Load(), maxRunning.Load())
	}
	if !strings.Contains(logs.String(), "skipped a firing") || !strings.Contains(logs.String(), "job=nightly-csv") {
		t.Errorf("the skipped firing was not logged with its job:\n%s", logs.String())
	}
}

// TestScheduleDaylightSaving checks CRON_TZ schedules across the 2026
// daylight-saving changes in Paris: the spring-forward night has no 02:30,
// and the fall-back night's 02:30 happens twice in local time. Runs are
// keyed by watermark windows, so whatever the firings, no window is
// doubled or lost; here we pin down when the firings are.
func TestScheduleDaylightSaving(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	sched, err := cronParser.Parse("CRON_TZ=Europe/Paris 30 2 * * *")
	if err != nil {
		t.Fatal(err)
	}
	// Spring forward: 2026-03-29 02:00 CET jumps to 03:00 CEST.
	next := sched.Next(time.Date(2026, 3, 28, 3, 0, 0, 0, paris))
	if want := time.Date(2026, 3, 30, 2, 30, 0, 0, paris); !next.Equal(want) {
		t.Errorf("after 28 March: next firing %v, want %v (29 March has no 02:30)", next, want)
	}
	// Fall back: 2026-10-25 03:00 CEST goes back to 02:00 CET.
	first := sched.Next(time.Date(2026, 10, 25, 0, 0, 0, 0, paris))
	second := sched.Next(first)
	// robfig/cron fires at both 02:30s of the fall-back night, an hour
	// apart; the second run plans from the watermark the first moved, so
	// it finds only data that arrived in that hour (TestCrashMatrix's
	// third run shows a re-run anchors nothing twice).
	if first.Day() != 25 || second.Day() != 25 || second.Sub(first) != time.Hour {
		t.Errorf("fall-back night: firings %v and %v, want both 02:30s of the 25th, an hour apart", first, second)
	}
	if third := sched.Next(second); third.Day() != 26 {
		t.Errorf("after the fall-back night: next firing %v, want the 26th", third)
	}
	for _, bad := range []string{"61 * * * *", "CRON_TZ=Mars/Olympus 0 1 * * *", "@fortnightly"} {
		if checkSchedule(bad) == nil {
			t.Errorf("schedule %q accepted", bad)
		}
	}
}
