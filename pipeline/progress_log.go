package pipeline

import (
	"log/slog"
	"sync"
	"time"
)

// ProgressLogger returns a progress callback that logs, at INFO, one line
// per job at most every interval while it reads: rows read, rows per
// second since the job started, input bytes read and to read, and the
// time left when the input size is known. It is what cron and serve see
// of a long run, where no terminal shows a bar. now is the clock
// (time.Now when nil).
func ProgressLogger(logger *slog.Logger, interval time.Duration, now func() time.Time) func(ProgressReport) {
	if now == nil {
		now = time.Now
	}
	type jobClock struct{ start, last time.Time }
	var mu sync.Mutex
	jobs := map[string]*jobClock{}
	return func(r ProgressReport) {
		mu.Lock()
		defer mu.Unlock()
		t := now()
		c, ok := jobs[r.Job]
		if !ok {
			c = &jobClock{start: t, last: t}
			jobs[r.Job] = c
		}
		if r.Final {
			delete(jobs, r.Job)
			return // the run logs its own summary
		}
		if t.Sub(c.last) < interval {
			return
		}
		c.last = t
		elapsed := t.Sub(c.start)
		rate := float64(r.Rows) / elapsed.Seconds()
		attrs := []any{"job", r.Job, "rows", r.Rows, "rows_per_s", int64(rate), "elapsed", elapsed.Round(time.Second).String()}
		if r.BytesTotal > 0 {
			attrs = append(attrs, "bytes", r.BytesDone, "bytes_total", r.BytesTotal)
			if r.BytesDone > 0 && r.BytesDone < r.BytesTotal {
				left := time.Duration(float64(elapsed) * float64(r.BytesTotal-r.BytesDone) / float64(r.BytesDone))
				attrs = append(attrs, "eta", left.Round(time.Second).String())
			}
		}
		logger.Info("reading", attrs...)
	}
}
