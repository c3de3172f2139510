package main

import (
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/healthanchor/healthanchor/pipeline"
)

func isTerminal(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }

// newProgress returns a pipeline progress callback drawing one bar per
// job on w: rows read, rows per second, and the input left where known.
func newProgress(w io.Writer) func(pipeline.ProgressReport) {
	var mu sync.Mutex
	bars := map[string]*progressbar.ProgressBar{}
	return func(r pipeline.ProgressReport) {
		mu.Lock()
		defer mu.Unlock()
		bar, ok := bars[r.Job]
		if !ok {
			bar = progressbar.NewOptions64(-1,
				progressbar.OptionSetWriter(w),
				progressbar.OptionSetDescription(r.Job),
				progressbar.OptionShowCount(),
				progressbar.OptionShowIts(),
				progressbar.OptionSetItsString("rows"),
			)
			bars[r.Job] = bar
		}
		if r.BytesTotal > 0 {
			left := max(r.BytesTotal-r.BytesDone, 0)
			bar.Describe(fmt.Sprintf("%s (%.1f MB left)", r.Job, float64(left)/1e6))
		}
		bar.Set64(r.Rows)
		if r.Final {
			bar.Finish()
			io.WriteString(w, "\n")
		}
	}
}
