package hl7

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/healthanchor/healthanchor/connectors"
	"github.com/healthanchor/healthanchor/schemas"
)

// Log keys.
const (
	logFile    = "file"
	logLine    = "line"
	logMessage = "message"
)

func wrap(err error) error { return fmt.Errorf("hl7: %w", err) }

// fileCounts is what one file produced: messages read = messages mapped
// + messages rejected.
type fileCounts struct {
	messages, mapped, rejected, junk, rows int
}

// readFile streams one window file.
func (c *Connector) readFile(ctx context.Context, f connectors.WindowFile, emit connectors.EmitFunc) error {
	rd, err := f.Open()
	if err != nil {
		return wrap(err)
	}
	defer rd.Close()
	return c.readStream(ctx, rd, f.Key, emit)
}

// readStream streams the records of one file or spool segment; key names
// it in source_ref and logs. A second goroutine frames, parses and maps
// the file (mapAhead) while this one emits; it has stopped, and no
// longer reads rd, when readStream returns.
func (c *Connector) readStream(ctx context.Context, rd io.Reader, key string, emit connectors.EmitFunc) error {
	ctx, cancel := context.WithCancel(ctx)
	full := make(chan *chunk, chunksAhead)
	free := make(chan *chunk, chunksAhead+2)
	for range chunksAhead + 2 {
		free <- new(chunk)
	}
	done := make(chan struct{})
	var panicked any // a panic of the mapping goroutine, raised again here
	go func() {
		defer close(done)
		defer func() { panicked = recover() }()
		c.mapAhead(ctx, rd, key, free, full)
	}()
	defer func() {
		cancel()
		<-done
	}()
	for ch := range full {
		if err := ctx.Err(); err != nil {
			return wrap(err)
		}
		for i := range ch.events {
			e := &ch.events[i]
			switch {
			case e.warning && e.message == "":
				c.log.Warn(e.warn, logFile, key, logLine, e.line)
			case e.warning:
				c.log.Warn(e.warn, logFile, key, logMessage, e.message, logLine, e.line)
			default:
				if err := emit(e.rec); err != nil {
					return err
				}
			}
		}
		if ch.last {
			if ch.err != nil {
				return ch.err
			}
			n := ch.counts
			c.log.Info("file read", logFile, key, "messages", n.messages, "mapped", n.mapped,
				"rejected", n.rejected, "rows", n.rows, "junk", n.junk)
			return nil
		}
		free <- ch
	}
	// The mapping goroutine stopped without a last chunk: it panicked
	// (the panic goes on here, on the caller's goroutine, where serve
	// recovers a run's panic), or ctx ended.
	<-done
	if panicked != nil {
		panic(panicked)
	}
	return wrap(ctx.Err())
}

// target names the schema a message was meant for, from MSH-9.
func target(m *Message) string {
	switch code, _, _ := m.Type(); code {
	case "ADT":
		return schemas.Patient.ID()
	case "ORU":
		return schemas.Observation.ID()
	case "ORM", "OML":
		return schemas.Order.ID()
	case "VXU":
		return schemas.Immunization.ID()
	}
	return ""
}

func clone(b []byte) []byte { return append([]byte(nil), b...) }

// warning is something tolerated in a file, for the log.
type warning struct {
	text string
	line int
}

// item is one unit of a file: a parsed message, or a reject.
type item struct {
	frame    Frame
	index    int    // message index in the file, from 1 (0 for other units)
	ref      string // source_ref
	msg      *Message
	reject   *connectors.Reject
	warnings []warning
}

// stream turns a file into items: it frames, parses, and checks batch
// counts. Items are valid until the next call.
type stream struct {
	fr     *Framer
	key    string
	parser Parser
	msg    Message
	index  int
	max    int
	refBuf []byte // where a message's source_ref is built

	// batch accounting
	fhsLine, bhsLine int // line of the open FHS/BHS, 0 when none
	inBatch          int // messages since the last BHS or BTS
	batches          int // batches since the FHS
	sinceFHS         int // messages since the FHS
	done             bool
}

func newStream(r io.Reader, key string, maxMessage int, fallback *Charset) *stream {
	return &stream{fr: NewFramer(r, maxMessage), key: key, max: maxMessage, parser: Parser{Fallback: fallback}}
}

func (s *stream) next() (item, error) {
	for {
		fr, err := s.fr.Next()
		if errors.Is(err, io.EOF) {
			if it, ok := s.finish(); ok {
				return it, nil
			}
			return item{}, io.EOF
		}
		if err != nil {
			return item{}, err
		}
		switch fr.Kind {
		case FrameJunk:
			return item{frame: fr, ref: s.key + ":" + strconv.Itoa(fr.Line), reject: &connectors.Reject{
				Reason: fmt.Sprintf("line %d: %s outside any message (no MSH segment)", fr.Line, lines(fr.Raw)),
				Raw:    clone(fr.Raw)}}, nil
		case FrameBatch:
			if it, ok := s.batch(fr); ok {
				return it, nil
			}
		case FrameMessage:
			return s.message(fr), nil
		}
	}
}

func lines(b []byte) string {
	n := 1
	for i, c := range b {
		if c == '\n' || (c == '\r' && (i+1 == len(b) || b[i+1] != '\n')) {
			if i+1 < len(b) {
				n++
			}
		}
	}
	if n == 1 {
		return "1 line"
	}
	return strconv.Itoa(n) + " lines"
}

func (s *stream) message(fr Frame) item {
	s.index++
	s.inBatch++
	s.sinceFHS++
	it := item{frame: fr, index: s.index}
	b := append(s.refBuf[:0], s.key...)
	b = append(b, '#')
	b = strconv.AppendInt(b, int64(s.index), 10)
	s.refBuf = b
	if fr.Truncated() {
		it.ref = string(b)
		it.reject = &connectors.Reject{Raw: clone(fr.Raw), Reason: fmt.Sprintf(
			"line %d: message of %d bytes in %s exceeds max_message_bytes (%d); raw holds its first %d bytes",
			fr.Line, fr.Size, s.key, s.max, len(fr.Raw))}
		return it
	}
	s.parser.FirstLine = fr.Line
	err := s.parser.ParseInto(&s.msg, fr.Raw)
	if err != nil {
		ref := string(b)
		if id := guessControlID(fr.Raw); id != "" {
			ref += "/" + id
		}
		it.ref = ref
		it.reject = &connectors.Reject{Raw: clone(fr.Raw), Reason: Reason(err)}
		return it
	}
	// then "/" and the control id (MSH-10), when it has one
	n := len(b)
	b = s.msg.Field("MSH", 10).appendDecoded(append(b, '/'))
	if len(b) == n+1 {
		b = b[:n]
	}
	s.refBuf = b
	it.ref, it.msg = string(b), &s.msg
	return it
}

// guessControlID reads MSH-10 from the first line of a message that did
// not parse, for its source_ref.
func guessControlID(raw []byte) string {
	if len(raw) < 4 || string(raw[:3]) != "MSH" {
		return ""
	}
	fs, f, start := raw[3], 1, 4
	for i := 4; i < len(raw) && raw[i] != '\r' && raw[i] != '\n'; i++ {
		if raw[i] != fs {
			continue
		}
		f++ // f is now the number of the field that starts at i+1, minus 1
		if f == 9 {
			start = i + 1
		}
		if f == 10 {
			return printable(raw[start:i])
		}
	}
	return ""
}

func printable(b []byte) string {
	for _, c := range b {
		if c < ' ' || c >= 0x7F || c == '/' || c == '#' {
			return ""
		}
	}
	if len(b) > 64 {
		return ""
	}
	return string(b)
}
