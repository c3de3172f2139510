package exec

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/healthanchor/healthanchor/connectors"
	"github.com/healthanchor/healthanchor/schemas"
)

// replay streams the RECORD messages of the stream from a spool file and
// checks, at its end, that the file is the one planned and on the disk:
// the spool is fsynced beside the reading (the tap's run leaves that to
// the replay), and the replay fails unless the fsync succeeds, so nothing
// of the window is anchored before its spool is durable.
func (c *Connector) replay(ctx context.Context, path string, wm watermark, emit connectors.EmitFunc) (err error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("exec: spool %s is gone (spools are removed once their window is committed; a committed window cannot be read again): %w", path, err)
	}
	if err != nil {
		return fmt.Errorf("exec: spool: %w", err)
	}
	defer f.Close()
	synced := make(chan error, 1)
	go func() { synced <- f.Sync() }()
	defer func() {
		if serr := <-synced; serr != nil && err == nil {
			err = fmt.Errorf("exec: spool %s: fsync: %w", path, serr)
		}
	}()
	if fi, err := f.Stat(); err == nil && c.env.Progress != nil {
		c.env.Progress.AddTotal(fi.Size())
	}
	sum := newSpoolSum(wm)
	sc := bufio.NewScanner(io.TeeReader(f, sum))
	sc.Buffer(make([]byte, 0, min(spoolChunk, c.cfg.MaxLineBytes+1)), c.cfg.MaxLineBytes+1)
	row := connectors.NewRow(c.cfg.schema, c.cfg.Source, "")
	keys := []string(nil)
	var props recordProps
	get := props.get // one method value for the whole replay, not one a record
	line := 0
	for sc.Scan() {
		line++
		if line%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("exec: %w", err)
			}
		}
		b := sc.Bytes()
		if c.env.Progress != nil {
			c.env.Progress.Add(int64(len(b) + 1))
		}
		props.ref = strconv.AppendInt(append(append(props.ref[:0], c.cfg.Stream...), ':'), int64(line), 10)
		m, err := c.message(b, &props)
		if err != nil {
			// The line was checked when it was spooled.
			return fmt.Errorf("exec: spool %s:%d: %w (%s)", path, line, err, spoolDamaged)
		}
		if !isString(m.stream, c.cfg.Stream) {
			continue
		}
		switch {
		case isString(m.typ, "SCHEMA"):
			keys = nil
			if len(m.keyProps) > 0 {
				json.Unmarshal(m.keyProps, &keys)
			}
		case isString(m.typ, "RECORD"):
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("exec: %w", err)
			}
			if err := emit(c.record(row, keys, b, m, &props, get)); err != nil {
				return err
			}
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("exec: spool %s: %w", path, err)
	}
	if got, want := sum.digest(); got != want {
		return fmt.Errorf("exec: spool %s: %s %.12s…, planned %.12s… (%s)", path, sum.name, got, want, spoolDamaged)
	}
	return nil
}

// spoolDamaged explains a spool that does not read as it was written.
const spoolDamaged = "the spool changed since it was written, or a machine crash cut it short before it reached the disk"

// message is what a replay reads of one spooled line.
type message struct {
	typ, stream, keyProps []byte
	record                []byte // the record's raw JSON
	loaded                bool   // the record's properties are in the recordProps
}

// message reads a spooled line in one pass: the record of a RECORD
// message is loaded into props as its end is found, rather than skipped
// first and read again. The line was checked when it was spooled.
func (c *Connector) message(b []byte, props *recordProps) (message, error) {
	var m message
	end, err := scanObject(b, skipSpace(b, 0), false, func(k []byte, i int) (int, error) {
		var end int
		var err error
		switch string(k) {
		case "record":
			// A record of another stream or message type is skipped when
			// the members before it tell so.
			if i < len(b) && b[i] == '{' && (m.typ == nil || isString(m.typ, "RECORD")) && (m.stream == nil || isString(m.stream, c.cfg.Stream)) {
				end, err = props.loadAt(b, i)
				m.loaded = err == nil
			} else {
				end, err = valueEnd(b, i)
				m.loaded = false
			}
			if err == nil {
				m.record = b[i:end]
			}
			return end, err
		}
		end, err = valueEnd(b, i)
		if err != nil {
			return 0, err
		}
		switch string(k) {
		case "type":
			m.typ = b[i:end]
		case "stream":
			m.stream = b[i:end]
		case "key_properties":
			m.keyProps = b[i:end]
		}
		return end, nil
	})
	if err == nil && skipSpace(b, end) != len(b) {
		err = errScan
	}
	return m, err
}

// recordProps are a record's properties, reused between records: each
// key, its raw JSON value and its text, the texts of a record and its
// reference held in one string so that reading a record allocates once.
type recordProps struct {
	ref     []byte // the record's reference (stream:line), set before loading
	refText string // ref, in str once loaded

	keys  []byte // every key, one after the other
	ends  []int  // where each key ends in keys
	vals  [][]byte
	buf   []byte // the texts, one after the other, while loading
	texts []span // where each value's text is in str
	str   string

	b     []byte // the line being loaded
	calls int    // find's calls since the record was loaded
	guess []int  // by call: the property the call found in the record before
}

// span is a value's text, str[start:end]; set is false for null and for
// a value that does not read as text.
type span struct {
	start, end int
	set        bool
}

// loadAt reads the properties of the record object that starts at b[i]
// and returns the index just past it.
func (p *recordProps) loadAt(b []byte, i int) (int, error) {
	p.keys, p.ends, p.vals, p.buf, p.texts, p.calls = p.keys[:0], p.ends[:0], p.vals[:0], p.buf[:0], p.texts[:0], 0
	p.b = b
	end, err := scanObject(b, i, false, p.member)
	p.b = nil
	n := len(p.buf)
	p.buf = append(p.buf, p.ref...)
	p.str = string(p.buf)
	p.refText = p.str[n:]
	return end, err
}

// member loads the property whose value starts at p.b[i]. A string of
// ASCII without escapes (most values) is copied as it is found; any other
// value is decoded by appendText, which checks a string's UTF-8.
func (p *recordProps) member(k []byte, i int) (int, error) {
	b := p.b
	start := len(p.buf)
	var vend int
	var set bool
	decoded := false
	if i < len(b) && b[i] == '"' {
		var err error
		if p.buf, vend, err = appendStringAt(p.buf, b, i); err == nil {
			set, decoded = true, true
		} else {
			p.buf = p.buf[:start]
		}
	}
	if !decoded {
		var err error
		if vend, err = valueEnd(b, i); err != nil {
			return 0, err
		}
		if p.buf, set, err = appendText(p.buf, b[i:vend], true); err != nil {
			p.buf, set = p.buf[:start], false
		}
	}
	p.keys = append(p.keys, k...)
	p.ends = append(p.ends, len(p.keys))
	p.vals = append(p.vals, b[i:vend])
	p.texts = append(p.texts, span{start, len(p.buf), set})
	return vend, nil
}

// find returns the index of a property named name, or -1. The mapping
// asks for the same columns in the same order for every record, and the
// records of a stream mostly list their properties alike, so find first
// tries where the same call found its property in the record before: one
// comparison a column. (Of a property given twice, either may be read.)
func (p *recordProps) find(name string) int {
	call := p.calls
	p.calls++
	if call < len(p.guess) {
		if i := p.guess[call]; i >= 0 && i < len(p.ends) && p.key(i) == name {
			return i
		}
	}
	found := -1
	for i := range p.ends {
		if p.key(i) == name {
			found = i
			break
		}
	}
	for len(p.guess) <= call {
		p.guess = append(p.guess, -1)
	}
	p.guess[call] = found
	return found
}

// key returns the name of property i.
func (p *recordProps) key(i int) string {
	start := 0
	if i > 0 {
		start = p.ends[i-1]
	}
	return string(p.keys[start:p.ends[i]])
}

func (p *recordProps) raw(name string) ([]byte, bool) {
	if i := p.find(name); i >= 0 {
		return p.vals[i], true
	}
	return nil, false
}

// get returns a property as text: strings as they are, numbers as
// written, booleans as true/false, objects and arrays as JSON; null and
// absent are no value. A dotted name reads a nested property when the
// record has no property of that exact name.
func (p *recordProps) get(name string) (string, bool) {
	if i := p.find(name); i >= 0 {
		t := p.texts[i]
		return p.str[t.start:t.end], t.set
	}
	if !strings.Contains(name, ".") {
		return "", false
	}
	raw, ok := nested(p, name)
	if !ok {
		return "", false
	}
	s, set, err := text(raw)
	if err != nil {
		return "", false
	}
	return s, set
}

func nested(p *recordProps, name string) ([]byte, bool) {
	parts := strings.Split(name, ".")
	cur, ok := p.raw(parts[0])
	for _, part := range parts[1:] {
		if !ok || len(cur) == 0 || cur[0] != '{' {
			return nil, false
		}
		var next []byte
		found := false
		members(cur, func(k, v []byte) error {
			if !found && string(k) == part {
				next, found = v, true
			}
			return nil
		})
		cur, ok = next, found
	}
	return cur, ok
}

// record maps one RECORD message to a row, or to a reject with the reason.
func (c *Connector) record(row schemas.Row, keys []string, raw []byte, m message, props *recordProps, get connectors.ColumnFunc) connectors.Record {
	s := c.cfg.schema
	ref := props.refText
	if !m.loaded {
		ref = string(props.ref)
	}
	reject := func(reason string) connectors.Record {
		return connectors.Record{SourceRef: ref, Reject: &connectors.Reject{Target: s.ID(), Reason: ref + ": " + reason, Raw: append([]byte(nil), raw...)}}
	}
	if !m.loaded {
		return reject("the record is not a JSON object")
	}
	if len(keys) > 0 {
		parts := make([]string, len(keys))
		for i, k := range keys {
			v, _ := get(k)
			parts[i] = k + "=" + v
		}
		ref += "[" + strings.Join(parts, ",") + "]"
	}
	row = connectors.ResetRow(row, s, c.cfg.Source, ref)
	for i := schemas.NumCommon; i < len(s.Fields); i++ {
		f := s.Fields[i]
		text, err := c.cfg.mapping.Text(i, get)
		if err == nil {
			row[i], err = c.conv.Value(s, f, text)
		}
		if err != nil {
			return reject(c.cfg.mapping.Label(i) + ": " + err.Error())
		}
		if f.Required && !row[i].Set {
			return reject(c.cfg.mapping.Label(i) + ": required, but the record has no value")
		}
	}
	return connectors.Record{SourceRef: ref, Schema: s, Row: row}
}
