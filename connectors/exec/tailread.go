package exec

import (
	"io"
	"os"
	"time"
)

// tailReader reads a file that a process is still writing (the spool, as
// the tap writes its output into it): at the file's current end it waits
// for more, polling at most every maxTailWait, until the process has
// exited; then what the file holds is all there is.
type tailReader struct {
	f      *os.File
	exited <-chan struct{} // closed once the writing process has exited
	wait   time.Duration   // the current wait between polls
	timer  *time.Timer
}

// The waits between polls at the end of a file still written grow from
// minTailWait to maxTailWait while nothing new arrives.
const (
	minTailWait = 50 * time.Microsecond
	maxTailWait = 5 * time.Millisecond
)

func newTailReader(f *os.File, exited <-chan struct{}) *tailReader {
	return &tailReader{f: f, exited: exited}
}

func (t *tailReader) Read(p []byte) (int, error) {
	for {
		n, err := t.f.Read(p)
		if n > 0 || err != io.EOF {
			t.wait = 0
			return n, err
		}
		select {
		case <-t.exited:
			// The process wrote all it will: one more read takes what it
			// wrote since the one above.
			return t.f.Read(p)
		default:
		}
		t.wait = min(max(2*t.wait, minTailWait), maxTailWait)
		if t.timer == nil {
			t.timer = time.NewTimer(t.wait)
		} else {
			t.timer.Reset(t.wait)
		}
		select {
		case <-t.exited:
		case <-t.timer.C:
		}
	}
}
