package hl7

import (
	"context"
	"errors"
	"io"

	"github.com/healthanchor/healthanchor/connectors"
	"github.com/healthanchor/healthanchor/schemas"
)

// Read-ahead: framing, parsing and mapping run in a goroutine of their
// own, a few chunks of messages ahead of the goroutine that emits the
// rows (and so appends them to the batches' Arrow buffers), so that a run
// uses a second core for them. Chunks are handed over in file order and
// emitted in that order, so the records, their order and everything
// derived from them (salts, roots) are the same as when one goroutine
// did both.
const (
	chunkMessages = 128 // messages per chunk
	chunksAhead   = 3   // chunks mapped and waiting to be emitted
)

// chunk is what the mapping goroutine made of consecutive units of a
// file: records to emit and warnings to log, in file order. The rows of
// its records are copies, cut from values, since the mapper reuses its
// own for the next message.
type chunk struct {
	events   []event
	values   []schemas.Value
	messages int

	// Set on the last chunk of the file: the counts, and the error that
	// ended the read early (nil at the end of the file).
	last   bool
	counts fileCounts
	err    error
}

// event is a record to emit, or, when warning is set, the warning warn to
// log: of the file at line (message is empty), or of the message message.
type event struct {
	rec     connectors.Record
	warning bool
	warn    string
	line    int
	message string
}

func (ch *chunk) reset() {
	clear(ch.events) // drop references to the strings and rejects emitted
	ch.events, ch.values, ch.messages = ch.events[:0], ch.values[:0], 0
}

// add appends a record, its row copied.
func (ch *chunk) add(r connectors.Record) {
	if r.Row != nil {
		start := len(ch.values)
		ch.values = append(ch.values, r.Row...)
		r.Row = ch.values[start:len(ch.values):len(ch.values)]
	}
	ch.events = append(ch.events, event{rec: r})
}

// mapAhead frames, parses and maps the units of rd into chunks taken
// from free and sent on full, in order, until the end of the file, an
// error, or ctx's end. It ends with a last chunk (unless ctx ended) and
// closes full.
func (c *Connector) mapAhead(ctx context.Context, rd io.Reader, key string, free <-chan *chunk, full chan<- *chunk) {
	defer close(full)
	take := func() *chunk {
		select {
		case ch := <-free:
			ch.reset()
			return ch
		case <-ctx.Done():
			return nil
		}
	}
	send := func(ch *chunk) bool {
		select {
		case full <- ch:
			return true
		case <-ctx.Done():
			return false
		}
	}
	ch := take()
	if ch == nil {
		return
	}
	s := newStream(rd, key, c.cfg.MaxMessageBytes, c.cfg.fallback)
	var n fileCounts
	for {
		if err := ctx.Err(); err != nil {
			ch.err = wrap(err)
			break
		}
		if ch.messages >= chunkMessages {
			if !send(ch) {
				return
			}
			if ch = take(); ch == nil {
				return
			}
		}
		it, err := s.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			ch.err = wrap(err)
			break
		}
		c.mapItem(ch, &n, it)
	}
	ch.last, ch.counts = true, n
	send(ch)
}

// mapItem adds what one unit of the file gives to ch: its warnings, then
// its reject or its rows.
func (c *Connector) mapItem(ch *chunk, n *fileCounts, it item) {
	for _, w := range it.warnings {
		ch.events = append(ch.events, event{warning: true, warn: w.text, line: w.line})
	}
	if it.reject != nil {
		if it.frame.Kind == FrameMessage {
			n.messages++
			n.rejected++
		} else {
			n.junk++
		}
		ch.messages++
		ch.add(connectors.Record{SourceRef: it.ref, Reject: it.reject})
		return
	}
	if it.msg == nil {
		return
	}
	n.messages++
	ch.messages++
	for _, w := range it.msg.Warnings() {
		ch.events = append(ch.events, event{warning: true, warn: w, line: it.frame.Line, message: it.ref})
	}
	recs, err := c.mapper.Map(it.msg, it.ref)
	if err != nil {
		n.rejected++
		ch.add(connectors.Record{SourceRef: it.ref, Reject: &connectors.Reject{
			Target: target(it.msg), Reason: Reason(err), Raw: clone(it.frame.Raw)}})
		return
	}
	n.mapped++
	for _, r := range recs {
		n.rows++
		ch.add(r)
	}
}
