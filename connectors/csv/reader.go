package csv

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/healthanchor/healthanchor/connectors"
)

// record is one CSV record as found in the file.
type record struct {
	line   int      // physical line (1-based) where the record starts
	offset int64    // byte offset of its first byte
	raw    []byte   // its bytes as in the file, line end included (cut at the size limit)
	fields []string // its fields, quotes removed, not yet decoded
	err    error    // a syntax fault: the record must be rejected
}

// reader splits a byte stream into CSV records. Unlike encoding/csv it
// takes any ASCII quote character or none, keeps each record's raw bytes
// and the line it starts on, keeps quoted text exactly (CR LF inside
// quotes stays CR LF), and holds at most one record of maxBytes in memory.
// A quote is special only at the start of a field; elsewhere it is text.
// Empty lines between records are skipped.
type reader struct {
	src    io.Reader
	srcErr error
	buf    []byte
	pos    int
	end    int

	delim   byte
	quote   byte // 0: no quoting
	maxSize int

	line   int   // line of the next byte
	offset int64 // offset of the next byte

	raw     []byte
	field   []byte
	ends    []int
	fields  []string // reused: a record's fields are valid until the next call
	tooLong bool
	fault   error
}

var newline = []byte{'\n'}

// parse states.
const (
	stFieldStart = iota // at the start of a field
	stUnquoted          // in a field that did not start with a quote
	stQuoted            // inside quotes
	stQuote             // just after a quote inside quotes: closing or doubled
	stQuoteCR           // after a closing quote and a CR
)

func newReader(src io.Reader, delim, quote byte, maxSize int) *reader {
	return &reader{src: src, buf: make([]byte, 64<<10), delim: delim, quote: quote, maxSize: maxSize, line: 1}
}

// skipBOM drops a UTF-8 byte order mark at the very start of the input,
// reporting whether there was one.
func (r *reader) skipBOM() (bool, error) {
	for r.end-r.pos < len(bom) && r.srcErr == nil {
		r.fill()
	}
	if r.srcErr != nil && !errors.Is(r.srcErr, io.EOF) {
		return false, r.srcErr
	}
	if r.end-r.pos >= len(bom) && string(r.buf[r.pos:r.pos+len(bom)]) == string(bom) {
		r.pos += len(bom)
		r.offset += int64(len(bom))
		return true, nil
	}
	return false, nil
}

// fill reads more input after the unread bytes.
func (r *reader) fill() {
	if r.pos > 0 {
		copy(r.buf, r.buf[r.pos:r.end])
		r.end -= r.pos
		r.pos = 0
	}
	n, err := r.src.Read(r.buf[r.end:])
	r.end += n
	if err != nil {
		r.srcErr = err
	}
}

// next returns the next record, or io.EOF after the last one. Any other
// error comes from the input itself; syntax faults are in record.err.
func (r *reader) next() (record, error) {
	r.raw, r.field, r.ends, r.tooLong, r.fault = r.raw[:0], r.field[:0], r.ends[:0], false, nil
	rec := record{line: r.line, offset: r.offset}
	st := stFieldStart
	for {
		if r.pos == r.end {
			if r.srcErr != nil {
				if !errors.Is(r.srcErr, io.EOF) {
					return rec, r.srcErr
				}
				if st == stUnquoted {
					r.stripCR()
				}
				if (st == stFieldStart || st == stUnquoted) && len(r.ends) == 0 && len(r.field) == 0 && !r.tooLong {
					return rec, io.EOF
				}
				if st == stQuoted {
					r.setFault(errors.New("quoted field not closed before the end of the file"))
				}
				if st == stQuoteCR {
					r.addField('\r')
				}
				r.endField()
				return r.finish(rec), nil
			}
			r.fill()
			continue
		}
		start := r.pos
		done := false
		for r.pos < r.end && !done {
			c := r.buf[r.pos]
			switch st {
			case stFieldStart:
				if r.quote != 0 && c == r.quote {
					r.pos++
					st = stQuoted
					continue
				}
				st = stUnquoted
				fallthrough
			case stUnquoted:
				j := r.pos + indexDelimOrNL(r.buf[r.pos:r.end], r.delim)
				r.addFieldBytes(r.buf[r.pos:j])
				r.pos = j
				if j == r.end {
					continue
				}
				r.pos++
				if c = r.buf[j]; c == r.delim {
					r.endField()
					st = stFieldStart
					continue
				}
				r.line++
				r.stripCR()
				if len(r.ends) == 0 && len(r.field) == 0 && !r.tooLong {
					// An empty line: not a record.
					r.offset += int64(r.pos - start)
					start = r.pos
					r.raw = r.raw[:0]
					rec = record{line: r.line, offset: r.offset}
					st = stFieldStart
					continue
				}
				r.endField()
				done = true
			case stQuoted:
				j := r.end
				if k := bytes.IndexByte(r.buf[r.pos:r.end], r.quote); k >= 0 {
					j = r.pos + k
				}
				r.line += bytes.Count(r.buf[r.pos:j], newline)
				r.addFieldBytes(r.buf[r.pos:j])
				r.pos = j
				if j < r.end {
					r.pos++
					st = stQuote
				}
			case stQuote:
				r.pos++
				switch c {
				case r.quote:
					r.addField(c)
					st = stQuoted
				case r.delim:
					r.endField()
					st = stFieldStart
				case '\n':
					r.line++
					r.endField()
					done = true
				case '\r':
					st = stQuoteCR
				default:
					r.setFault(fmt.Errorf("field %d: %q after the closing quote", len(r.ends)+1, string(c)))
					r.pos--
					st = stUnquoted
				}
			case stQuoteCR:
				if c == '\n' {
					r.pos++
					r.line++
					r.endField()
					done = true
					continue
				}
				r.setFault(fmt.Errorf("field %d: %q after the closing quote", len(r.ends)+1, "\r"))
				r.addField('\r')
				st = stUnquoted
			}
		}
		r.addRaw(r.buf[start:r.pos])
		r.offset += int64(r.pos - start)
		if done {
			return r.finish(rec), nil
		}
	}
}

// stripCR drops the CR of a CR LF line end from the current unquoted field.
func (r *reader) stripCR() {
	if n := len(r.field); n > 0 && r.field[n-1] == '\r' && (len(r.ends) == 0 || r.ends[len(r.ends)-1] < n) {
		r.field = r.field[:n-1]
	}
}

func (r *reader) setFault(err error) {
	if r.fault == nil {
		r.fault = err
	}
}

func (r *reader) addRaw(b []byte) {
	if room := r.maxSize - len(r.raw); room < len(b) {
		r.tooLong = true
		if room > 0 {
			r.raw = append(r.raw, b[:room]...)
		}
		return
	}
	r.raw = append(r.raw, b...)
}

func (r *reader) addFieldBytes(b []byte) {
	if len(r.field)+len(b) > r.maxSize {
		r.tooLong = true
		return
	}
	r.field = append(r.field, b...)
}

func (r *reader) addField(c byte) {
	if len(r.field) >= r.maxSize {
		r.tooLong = true
		return
	}
	r.field = append(r.field, c)
}

func (r *reader) endField() { r.ends = append(r.ends, len(r.field)) }

// finish fills rec from the record just read. The fields share one string.
func (r *reader) finish(rec record) record {
	rec.raw = r.raw
	s := string(r.field)
	r.fields = r.fields[:0]
	prev := 0
	for _, e := range r.ends {
		r.fields = append(r.fields, s[prev:e])
		prev = e
	}
	rec.fields = r.fields
	rec.err = r.fault
	if r.tooLong {
		rec.err = fmt.Errorf("record longer than %d bytes (max_record_bytes); an unclosed quote? raw holds its first %d bytes",
			r.maxSize, min(len(rec.raw), connectors.OversizeHead))
		rec.raw = rec.raw[:min(len(rec.raw), connectors.OversizeHead)]
	}
	return rec
}
