package hl7

import (
	"errors"
	"fmt"
	"io"

	"github.com/healthanchor/healthanchor/connectors"
)

// FrameKind says what a Frame holds.
type FrameKind uint8

// The kinds of frame a file is cut into.
const (
	// FrameMessage is one message, from its MSH line to the line before
	// the next MSH, batch segment or MLLP marker.
	FrameMessage FrameKind = iota + 1
	// FrameBatch is one FHS, BHS, BTS or FTS segment line.
	FrameBatch
	// FrameJunk is a run of non-blank lines outside any message (comments,
	// "[SOM]" markers, text before the first MSH).
	FrameJunk
)

// String names the kind.
func (k FrameKind) String() string {
	switch k {
	case FrameMessage:
		return "message"
	case FrameBatch:
		return "batch segment"
	case FrameJunk:
		return "junk"
	}
	return fmt.Sprintf("FrameKind(%d)", k)
}

// Frame is one unit of a file. Raw is valid until the next call to Next.
type Frame struct {
	Kind    FrameKind
	Segment string // FHS, BHS, BTS or FTS for a FrameBatch
	Raw     []byte
	Line    int   // the frame's first line in the file, from 1
	Offset  int64 // the frame's first byte in the file
	// Size is the frame's size in the file. It exceeds len(Raw) when the
	// frame was longer than the framer's limit: Raw then holds its head.
	Size int64
}

// Truncated reports whether the frame was longer than the framer's limit.
func (f Frame) Truncated() bool { return f.Size > int64(len(f.Raw)) }

// DefaultMaxFrame bounds one message (16 MiB); a longer one is reported
// truncated so that memory stays bounded whatever the input.
const DefaultMaxFrame = 16 << 20

// MaxHead is how much of a frame over the limit is kept in Raw: its first
// 64 KiB (connectors.OversizeHead), or the whole limit when that is smaller.
const MaxHead = connectors.OversizeHead

const (
	readChunk = 64 << 10
	mllpStart = 0x0B
	mllpEnd   = 0x1C
)

// Framer cuts a stream into frames with bounded memory: files of one or
// many messages, with or without FHS/BHS/BTS/FTS batch segments, and
// MLLP captures (0x0B message 0x1C 0x0D). Messages end where the next
// MSH, batch segment or MLLP marker starts, or, after a blank line, where
// a line that is not a segment starts. Lines end at CR, LF or CRLF. A
// byte order mark at the start of the stream is skipped.
type Framer struct {
	r    io.Reader
	max  int
	buf  []byte
	pos  int   // scan position in buf
	base int64 // stream offset of buf[0]
	line int   // line number at pos
	eof  bool
	rerr error

	// the frame being scanned
	kind      FrameKind
	seg       string
	start     int // in buf; -1 when discarding an oversize frame
	startLine int
	startOff  int64
	head      []byte // kept head of an oversize frame
	blankSeen bool   // a blank line inside the current message
	begun     bool   // BOM check done
}

// NewFramer returns a framer over r; maxFrame bounds one frame in memory
// (0 for DefaultMaxFrame).
func NewFramer(r io.Reader, maxFrame int) *Framer {
	if maxFrame <= 0 {
		maxFrame = DefaultMaxFrame
	}
	return &Framer{r: r, max: maxFrame, buf: make([]byte, 0, min(readChunk*2, maxFrame+readChunk)), line: 1}
}

// Line is the line number the framer has reached.
func (f *Framer) Line() int { return f.line }

// Next returns the next frame, or io.EOF after the last one. Any other
// error is a read error of the underlying reader.
func (f *Framer) Next() (Frame, error) {
	if !f.begun {
		f.begun = true
		if err := f.need(3); err != nil {
			return Frame{}, err
		}
		if len(f.buf)-f.pos >= 3 && string(f.buf[f.pos:f.pos+3]) == string(bom) {
			f.pos += 3
		}
	}
	f.kind = 0
	for {
		// at a line start
		if err := f.need(4); err != nil {
			return Frame{}, err
		}
		if f.pos >= len(f.buf) {
			if f.kind != 0 {
				return f.close(f.pos), nil
			}
			return Frame{}, io.EOF
		}
		c := f.buf[f.pos]
		switch {
		case c == mllpStart:
			if f.kind != 0 {
				return f.close(f.pos), nil
			}
			f.pos++
			continue
		case c == mllpEnd:
			if f.kind != 0 {
				return f.close(f.pos), nil
			}
			f.pos++
			continue
		case c == '\r' || c == '\n':
			// a blank line
			if f.kind == FrameJunk {
				return f.close(f.pos), nil
			}
			if f.kind == FrameMessage {
				f.blankSeen = true
			}
			if err := f.skipEOL(); err != nil {
				return Frame{}, err
			}
			continue
		}
		lineStart := f.pos
		head := f.buf[f.pos:min(f.pos+4, len(f.buf))]
		batch := batchSegment(head)
		switch {
		case isMSH(head) || batch != "":
			if f.kind != 0 {
				return f.close(lineStart), nil
			}
			if batch != "" {
				f.open(FrameBatch, batch)
				if err := f.scanLine(); err != nil {
					return Frame{}, err
				}
				n := f.pos - f.start
				// skipEOL may read more, moving the buffer: close after it.
				if err := f.skipEOL(); err != nil {
					return Frame{}, err
				}
				return f.close(f.start + n), nil
			}
			f.open(FrameMessage, "")
		case f.kind == FrameMessage && f.blankSeen && !segmentStart(head):
			return f.close(lineStart), nil
		case f.kind == 0:
			f.open(FrameJunk, "")
		}
		if err := f.scanLine(); err != nil {
			return Frame{}, err
		}
		if f.kind == FrameJunk && f.startLine == f.line && f.start >= 0 && isBlank(f.buf[f.start:f.pos]) {
			f.kind = 0 // a line of spaces outside a message
		}
		if f.pos < len(f.buf) && (f.buf[f.pos] == mllpStart || f.buf[f.pos] == mllpEnd) {
			continue
		}
		if err := f.skipEOL(); err != nil {
			return Frame{}, err
		}
	}
}

func isMSH(h []byte) bool {
	return len(h) >= 4 && h[0] == 'M' && h[1] == 'S' && h[2] == 'H' && !isAlnum(h[3])
}

func batchSegment(h []byte) string {
	if len(h) < 3 || (len(h) >= 4 && isAlnum(h[3])) {
		return ""
	}
	switch string(h[:3]) {
	case "FHS", "BHS", "BTS", "FTS":
		return string(h[:3])
	}
	return ""
}

func segmentStart(h []byte) bool {
	if len(h) < 3 || !isIDChar(h[0]) || !isIDChar(h[1]) || !isIDChar(h[2]) {
		return false
	}
	return len(h) == 3 || !isAlnum(h[3])
}

func isAlnum(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
}

func (f *Framer) open(k FrameKind, seg string) {
	f.kind, f.seg, f.start, f.startLine = k, seg, f.pos, f.line
	f.startOff = f.base + int64(f.pos)
	f.head = f.head[:0]
	f.blankSeen = false
}

// close ends the current frame at end (an index in buf). A frame over
// the limit gives its head only, wherever it ends: in bytes already read
// as well as after the framer dropped its body.
func (f *Framer) close(end int) Frame {
	fr := Frame{Kind: f.kind, Segment: f.seg, Line: f.startLine, Offset: f.startOff}
	fr.Size = f.base + int64(end) - f.startOff
	switch {
	case f.start < 0:
		fr.Raw = f.head
	case end-f.start > f.max:
		fr.Raw = f.buf[f.start : f.start+f.headSize()]
	default:
		fr.Raw = f.buf[f.start:end]
	}
	f.kind = 0
	return fr
}

// headSize is how much of a frame over the limit is kept.
func (f *Framer) headSize() int { return min(MaxHead, f.max) }

// scanLine advances pos to the end of the current line's content: the
// next CR, LF or MLLP marker, or the end of the stream.
func (f *Framer) scanLine() error {
	for {
		b := f.buf
		i := f.pos
		for i < len(b) {
			c := b[i]
			if c <= mllpEnd && (c == '\r' || c == '\n' || c == mllpStart || c == mllpEnd) {
				f.pos = i
				return nil
			}
			i++
		}
		f.pos = i
		if f.eof {
			return nil
		}
		if err := f.more(); err != nil {
			return err
		}
	}
}

// skipEOL consumes one line end (CR, LF or CRLF) at pos, if there is one.
func (f *Framer) skipEOL() error {
	if f.pos >= len(f.buf) {
		return nil
	}
	switch f.buf[f.pos] {
	case '\n':
		f.pos++
		f.line++
	case '\r':
		f.pos++
		f.line++
		if err := f.need(1); err != nil {
			return err
		}
		if f.pos < len(f.buf) && f.buf[f.pos] == '\n' {
			f.pos++
		}
	}
	return nil
}

// need makes n bytes from pos available, unless the stream ends first.
func (f *Framer) need(n int) error {
	for len(f.buf)-f.pos < n && !f.eof {
		if err := f.more(); err != nil {
			return err
		}
	}
	return nil
}

// more reads the next chunk, first dropping what no frame needs any
// more; a frame over the limit keeps only its head. It reads at most
// readChunk bytes at a time, so that the buffer never holds more than the
// limit and two chunks, however large the input's frames.
func (f *Framer) more() error {
	if f.rerr != nil {
		return f.rerr
	}
	keep := f.pos
	if f.kind != 0 && f.start >= 0 {
		if f.pos-f.start > f.max {
			f.head = append(f.head[:0], f.buf[f.start:f.start+f.headSize()]...)
			f.start = -1
		} else {
			keep = f.start
		}
	}
	if keep > 0 {
		n := copy(f.buf, f.buf[keep:])
		f.buf = f.buf[:n]
		f.pos -= keep
		if f.start > 0 {
			f.start -= keep
		}
		f.base += int64(keep)
	}
	if cap(f.buf)-len(f.buf) < readChunk {
		// Double, but not past what the limit can need.
		c := max(len(f.buf)+readChunk, min(2*cap(f.buf)+readChunk, f.max+3*readChunk))
		nb := make([]byte, len(f.buf), c)
		copy(nb, f.buf)
		f.buf = nb
	}
	n, err := f.r.Read(f.buf[len(f.buf):min(cap(f.buf), len(f.buf)+readChunk)])
	f.buf = f.buf[:len(f.buf)+n]
	switch {
	case errors.Is(err, io.EOF):
		f.eof = true
	case err != nil:
		f.rerr = err
		return err
	}
	return nil
}
