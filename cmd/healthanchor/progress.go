package main

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/healthanchor/healthanchor/pipeline"
)

func isTerminal(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }

// newProgress returns a pipeline progress callback drawing one bar per
// job on w: rows read, rows per second, and the input left where known.
// The rate is the job's own, rows over the time since its first report,
// and is shown only after a second: the bar's own rate, taken over the
// first few microseconds, started at absurd figures.
func newProgress(w io.Writer) func(pipeline.ProgressReport) {
	var mu sync.Mutex
	type jobBar struct {
		bar   *progressbar.ProgressBar
		start time.Time
	}
	bars := map[string]*jobBar{}
	return func(r pipeline.ProgressReport) {
		mu.Lock()
		defer mu.Unlock()
		jb, ok := bars[r.Job]
		if !ok {
			jb = &jobBar{start: time.Now(), bar: progressbar.NewOptions64(-1,
				progressbar.OptionSetWriter(w),
				progressbar.OptionSetDescription(r.Job),
				progressbar.OptionShowCount(),
			)}
			bars[r.Job] = jb
		}
		desc := r.Job
		if el := time.Since(jb.start); el >= time.Second {
			desc += fmt.Sprintf(" %.0f rows/s", float64(r.Rows)/el.Seconds())
		}
		if r.BytesTotal > 0 {
			left := max(r.BytesTotal-r.BytesDone, 0)
			desc += fmt.Sprintf(" (%.1f MB left)", float64(left)/1e6)
		}
		jb.bar.Describe(desc)
		jb.bar.Set64(r.Rows)
		if r.Final {
			jb.bar.Finish()
			io.WriteString(w, "\n")
		}
	}
}
