package main

import (
	"io"
	"os"
	"sync"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

func isTerminal(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }

// newProgress returns a pipeline progress callback drawing one bar per
// job on w: rows read and rows per second.
func newProgress(w io.Writer) func(job string, rows int64) {
	var mu sync.Mutex
	bars := map[string]*progressbar.ProgressBar{}
	return func(job string, rows int64) {
		mu.Lock()
		defer mu.Unlock()
		bar, ok := bars[job]
		if !ok {
			bar = progressbar.NewOptions64(-1,
				progressbar.OptionSetWriter(w),
				progressbar.OptionSetDescription(job),
				progressbar.OptionShowCount(),
				progressbar.OptionShowIts(),
				progressbar.OptionSetItsString("rows"),
				progressbar.OptionOnCompletion(func() { io.WriteString(w, "\n") }),
			)
			bars[job] = bar
		}
		bar.Set64(rows)
	}
}
