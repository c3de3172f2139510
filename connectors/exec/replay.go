package exec

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/healthanchor/healthanchor/connectors"
	"github.com/healthanchor/healthanchor/schemas"
)

// replay streams the RECORD messages of the stream from a spool file and
// checks, at its end, that the file is the one planned.
func (c *Connector) replay(ctx context.Context, path string, wm watermark, emit connectors.EmitFunc) error {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("exec: spool %s is gone (spools are removed once their window is committed; a committed window cannot be read again): %w", path, err)
	}
	if err != nil {
		return fmt.Errorf("exec: spool: %w", err)
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && c.env.Progress != nil {
		c.env.Progress.AddTotal(fi.Size())
	}
	h := sha256.New()
	sc := bufio.NewScanner(io.TeeReader(f, h))
	sc.Buffer(make([]byte, 0, min(1<<16, c.cfg.MaxLineBytes+1)), c.cfg.MaxLineBytes+1)
	row := connectors.NewRow(c.cfg.schema, c.cfg.Source, "")
	keys := []string(nil)
	var props recordProps
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
		var typ, stream, rec, keyProps []byte
		err := members(b, func(k, v []byte) error {
			switch string(k) {
			case "type":
				typ = v
			case "stream":
				stream = v
			case "record":
				rec = v
			case "key_properties":
				keyProps = v
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("exec: spool %s:%d: %w", path, line, err)
		}
		if !isString(stream, c.cfg.Stream) {
			continue
		}
		switch {
		case isString(typ, "SCHEMA"):
			keys = nil
			if len(keyProps) > 0 {
				json.Unmarshal(keyProps, &keys)
			}
		case isString(typ, "RECORD"):
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("exec: %w", err)
			}
			if err := emit(c.record(row, line, keys, b, rec, &props)); err != nil {
				return err
			}
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("exec: spool %s: %w", path, err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != wm.SHA256 {
		return fmt.Errorf("exec: spool %s changed since it was written (sha256 %.12s…, planned %.12s…)", path, got, wm.SHA256)
	}
	return nil
}

// recordProps are a record's properties, reused between records: each
// key, its raw JSON value and its text, the texts of a record held in
// one string so that reading a record allocates once.
type recordProps struct {
	keys  []byte // every key, one after the other
	ends  []int  // where each key ends in keys
	vals  [][]byte
	buf   []byte // the texts, one after the other, while loading
	texts []span // where each value's text is in str
	str   string
}

// span is a value's text, str[start:end]; set is false for null and for
// a value that does not read as text.
type span struct {
	start, end int
	set        bool
}

// load reads the properties of the record rec; utf8OK says that rec is
// known to be UTF-8, so that its strings need no check one by one.
func (p *recordProps) load(rec []byte, utf8OK bool) error {
	p.keys, p.ends, p.vals, p.buf, p.texts = p.keys[:0], p.ends[:0], p.vals[:0], p.buf[:0], p.texts[:0]
	err := members(rec, func(k, v []byte) error {
		p.keys = append(p.keys, k...)
		p.ends = append(p.ends, len(p.keys))
		p.vals = append(p.vals, v)
		start := len(p.buf)
		var set bool
		var err error
		if p.buf, set, err = appendText(p.buf, v, !utf8OK); err != nil {
			p.buf, set = p.buf[:start], false
		}
		p.texts = append(p.texts, span{start, len(p.buf), set})
		return nil
	})
	p.str = string(p.buf)
	return err
}

// find returns the index of the first property named name, or -1.
func (p *recordProps) find(name string) int {
	start := 0
	for i, end := range p.ends {
		if string(p.keys[start:end]) == name {
			return i
		}
		start = end
	}
	return -1
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
func (c *Connector) record(row schemas.Row, line int, keys []string, raw, rec []byte, props *recordProps) connectors.Record {
	s := c.cfg.schema
	ref := c.cfg.Stream + ":" + strconv.Itoa(line)
	reject := func(reason string) connectors.Record {
		return connectors.Record{SourceRef: ref, Reject: &connectors.Reject{Target: s.ID(), Reason: ref + ": " + reason, Raw: append([]byte(nil), raw...)}}
	}
	// One check of the whole line is cheaper than one per string.
	if len(rec) == 0 || rec[0] != '{' || props.load(rec, utf8.Valid(raw)) != nil {
		return reject("the record is not a JSON object")
	}
	get := props.get
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
