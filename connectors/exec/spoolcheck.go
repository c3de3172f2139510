package exec

import (
	"bytes"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
)

// writebackBytes is how much of the spool is read back before the kernel
// is asked to start putting it on the disk (startWriteback).
const writebackBytes = 16 << 20

// checkers is how many goroutines check the tap's output.
const checkers = 2

// checkOutput reads back the tap's output from src as the tap writes it
// into the spool f, checking that each line is a JSON object with a type,
// and notes the last STATE and the number of RECORD messages of the
// stream. It reads in large chunks of whole lines; each chunk is summed as
// soon as it is read, then checked line by line by one of several
// goroutines, so that the checking (most of the work) runs beside the
// reading and on every core. The chunks' findings are taken in order. A
// line that fails its check stops the reading: the spool is then thrown
// away. A last line without its newline gets one, written to f.
func (c *Connector) checkOutput(src io.Reader, f *os.File, out *spooled) error {
	size := min(spoolChunk, c.cfg.MaxLineBytes+1)
	work := make(chan *chunkCheck, checkers)    // written, to check
	order := make(chan *chunkCheck, 2*checkers) // the same, in file order, to collect
	free := make(chan []byte, 2*checkers+2)     // collected, to read into again
	stop := make(chan struct{})                 // closed by the collector on a bad line
	for range checkers {
		go func() {
			for ch := range work {
				c.checkChunk(ch)
				close(ch.done)
			}
		}()
	}
	result := make(chan checked, 1)
	go func() { result <- c.collect(order, free, stop, out) }()

	readErr := c.readChunks(src, f, out, size, func(b []byte) bool {
		ch := &chunkCheck{buf: b, done: make(chan struct{})}
		select {
		case order <- ch:
		case <-stop:
			return false
		}
		work <- ch
		return true
	}, free)
	close(work)
	close(order)
	res := <-result
	switch {
	case res.err != nil: // a bad line comes before whatever stopped the reading
		return res.err
	case readErr == errLineTooLong:
		return fmt.Errorf("line %d is longer than max_line_bytes (%d)", res.lines+1, c.cfg.MaxLineBytes)
	}
	return readErr
}

// errLineTooLong is readChunks' report of a line longer than
// max_line_bytes; checkOutput names the line.
var errLineTooLong = errors.New("line too long")

// errChecksStopped is send's report that the checking stopped on a bad
// line, which collect reports.
var errChecksStopped = errors.New("checks stopped")

// readChunks reads src into buffers of at least size bytes (reusing
// those from free), sums each buffer's whole lines (a last line without
// its newline gets one, also written at the end of the spool f) and hands
// them to check. It returns when src ends, on an error, or when check
// refuses a chunk (the checking stopped on a bad line).
func (c *Connector) readChunks(src io.Reader, f *os.File, out *spooled, size int, check func([]byte) bool, free <-chan []byte) error {
	var flushed int64 // bytes whose writeback has been started
	sum := func(b []byte) {
		out.crc32c = crc32.Update(out.crc32c, castagnoli, b)
		out.size += int64(len(b))
		if out.size-flushed >= writebackBytes {
			startWriteback(f, flushed, out.size-flushed)
			flushed = out.size
		}
	}
	// send sums b, whole lines, and hands it to the checker; the rest of
	// the buffer, tail, starts the next one.
	send := func(b, tail []byte) ([]byte, error) {
		sum(b)
		var next []byte
		select {
		case next = <-free:
		default:
		}
		if cap(next) < max(size, 2*len(tail)) {
			next = make([]byte, max(size, 2*len(tail)))
		}
		next = next[:cap(next)]
		copy(next, tail)
		if !check(b) {
			return nil, errChecksStopped
		}
		return next, nil
	}
	buf := make([]byte, size)
	n := 0 // buf[:n] is read
	for {
		if n == len(buf) { // full, without a newline: one line fills it
			if len(buf) > c.cfg.MaxLineBytes {
				return errLineTooLong
			}
			buf = append(buf, make([]byte, min(len(buf), c.cfg.MaxLineBytes+1-len(buf)))...)
		}
		m, err := src.Read(buf[n:])
		n += m
		eof := err == io.EOF
		if err != nil && !eof {
			return err
		}
		if eof {
			if n == 0 {
				return nil
			}
			if buf[n-1] != '\n' { // a last line without its newline (the checker checks its length)
				if _, err := f.WriteAt([]byte{'\n'}, out.size+int64(n)); err != nil {
					return fmt.Errorf("spool: %w", err)
				}
				buf = append(buf[:n], '\n')
				n++
			}
		} else if n < len(buf)/2 {
			continue // read on: send larger chunks
		}
		end := bytes.LastIndexByte(buf[:n], '\n') + 1
		if end == 0 {
			continue
		}
		tail := buf[end:n]
		next, err := send(buf[:end], tail)
		if err == errChecksStopped {
			return nil
		}
		if err != nil {
			return err
		}
		if eof {
			return nil
		}
		buf, n = next, len(tail)
	}
}

// chunkCheck is one chunk of whole lines and what its check found.
type chunkCheck struct {
	buf   []byte
	done  chan struct{} // closed once checked
	lines int
	found spooled // its RECORD messages of the stream and its last STATE
	bad   []byte  // the first line that fails, nil when none does
}

// checkChunk checks each line of ch.buf, numbering them from 1 within
// the chunk, up to the first that fails.
func (c *Connector) checkChunk(ch *chunkCheck) {
	for b := ch.buf; len(b) > 0; {
		k := bytes.IndexByte(b, '\n')
		ch.lines++
		if c.lineError(b[:k], ch.lines, &ch.found) != nil {
			ch.bad = b[:k]
			return
		}
		b = b[k+1:]
	}
}

// lineError checks one line (its newline cut), line being its number.
func (c *Connector) lineError(b []byte, line int, out *spooled) error {
	if len(b) > c.cfg.MaxLineBytes {
		return fmt.Errorf("line %d is longer than max_line_bytes (%d)", line, c.cfg.MaxLineBytes)
	}
	return c.checkLine(b, line, out)
}

// checked is what collect found: the lines checked, and the first bad
// one's error.
type checked struct {
	lines int
	err   error
}

// collect takes the chunks' checks in file order, adding up what they
// found into out and giving their buffers back to free. At the first bad
// line it closes stop, and names the line by its number in the output.
func (c *Connector) collect(order <-chan *chunkCheck, free chan<- []byte, stop chan<- struct{}, out *spooled) checked {
	var res checked
	for ch := range order {
		<-ch.done
		if res.err == nil {
			res.lines += ch.lines
			if ch.bad != nil {
				var scratch spooled
				res.err = c.lineError(ch.bad, res.lines, &scratch)
				close(stop)
			} else {
				out.records += ch.found.records
				if ch.found.state != nil {
					out.state = ch.found.state
				}
			}
		}
		select {
		case free <- ch.buf[:cap(ch.buf)]:
		default:
		}
	}
	return res
}
