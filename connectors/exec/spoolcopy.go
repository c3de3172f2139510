package exec

import (
	"bytes"
	"fmt"
	"hash/crc32"
	"io"
	"os"
)

// writebackBytes is how much of the spool is written before the kernel is
// asked to start putting it on the disk (startWriteback).
const writebackBytes = 16 << 20

// copyOutput copies the tap's stdout to the spool, checking that each
// line is a JSON object with a type, and notes the last STATE and the
// number of RECORD messages of the stream. It reads in large chunks of
// whole lines; each chunk is written and summed as soon as it is read,
// then checked line by line on another goroutine, so that the checking
// (most of the work) runs beside the reading and writing. A line that
// fails its check stops the copy: the spool is then thrown away.
func (c *Connector) copyOutput(stdout io.Reader, f *os.File, out *spooled) error {
	size := min(spoolChunk, c.cfg.MaxLineBytes+1)
	chunks := make(chan []byte, 2) // written, to check
	free := make(chan []byte, 4)   // checked, to read into again
	stop := make(chan struct{})    // closed by the checker on a bad line
	result := make(chan checked, 1)
	go func() { result <- c.checkChunks(chunks, free, stop, out) }()

	readErr := c.readChunks(stdout, f, out, size, chunks, free, stop)
	close(chunks)
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
// max_line_bytes; copyOutput names the line.
var errLineTooLong = fmt.Errorf("line too long")

// readChunks reads stdout into buffers of at least size bytes, writes
// each buffer's whole lines to the spool (a last line without its
// newline gets one) and sends them to chunks. It returns when stdout
// ends, on an error, or when stop is closed.
func (c *Connector) readChunks(stdout io.Reader, f *os.File, out *spooled, size int, chunks chan<- []byte, free <-chan []byte, stop <-chan struct{}) error {
	var flushed int64 // bytes whose writeback has been started
	write := func(b []byte) error {
		if _, err := f.Write(b); err != nil {
			return fmt.Errorf("spool: %w", err)
		}
		out.crc32c = crc32.Update(out.crc32c, castagnoli, b)
		out.size += int64(len(b))
		if out.size-flushed >= writebackBytes {
			startWriteback(f, flushed, out.size-flushed)
			flushed = out.size
		}
		return nil
	}
	// send writes b, whole lines, and hands it to the checker; the rest
	// of the buffer, tail, starts the next one.
	send := func(b, tail []byte) ([]byte, error) {
		if err := write(b); err != nil {
			return nil, err
		}
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
		select {
		case chunks <- b:
		case <-stop:
			return nil, io.EOF
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
		m, err := stdout.Read(buf[n:])
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
		if err != nil {
			if err == io.EOF { // the checker stopped on a bad line: it reports it
				return nil
			}
			return err
		}
		if eof {
			return nil
		}
		buf, n = next, len(tail)
	}
}

// checked is what checkChunks found: the lines it checked, and the first
// bad one's error.
type checked struct {
	lines int
	err   error
}

// checkChunks checks each line of the chunks it receives, noting in out
// what they are, and gives the buffers back to free. On a bad line it
// closes stop and checks nothing more.
func (c *Connector) checkChunks(chunks <-chan []byte, free chan<- []byte, stop chan<- struct{}, out *spooled) checked {
	var res checked
	for chunk := range chunks {
		for b := chunk; res.err == nil && len(b) > 0; {
			k := bytes.IndexByte(b, '\n')
			res.lines++
			if k > c.cfg.MaxLineBytes {
				res.err = fmt.Errorf("line %d is longer than max_line_bytes (%d)", res.lines, c.cfg.MaxLineBytes)
			} else {
				res.err = c.checkLine(b[:k], res.lines, out)
			}
			b = b[k+1:]
			if res.err != nil {
				close(stop)
			}
		}
		select {
		case free <- chunk[:cap(chunk)]:
		default:
		}
	}
	return res
}
