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
		var m message
		if err := json.Unmarshal(b, &m); err != nil {
			return fmt.Errorf("exec: spool %s:%d: %w", path, line, err)
		}
		if m.Stream != c.cfg.Stream {
			continue
		}
		switch m.Type {
		case "SCHEMA":
			keys = m.KeyProperties
		case "RECORD":
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("exec: %w", err)
			}
			if err := emit(c.record(row, line, keys, b, m.Record)); err != nil {
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

// record maps one RECORD message to a row, or to a reject with the reason.
func (c *Connector) record(row schemas.Row, line int, keys []string, raw, rec json.RawMessage) connectors.Record {
	s := c.cfg.schema
	ref := c.cfg.Stream + ":" + strconv.Itoa(line)
	reject := func(reason string) connectors.Record {
		return connectors.Record{SourceRef: ref, Reject: &connectors.Reject{Target: s.ID(), Reason: ref + ": " + reason, Raw: append([]byte(nil), raw...)}}
	}
	var props map[string]any
	dec := json.NewDecoder(strings.NewReader(string(rec)))
	dec.UseNumber()
	if err := dec.Decode(&props); err != nil || props == nil {
		return reject("the record is not a JSON object")
	}
	get := func(name string) (string, bool) { return property(props, name) }
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

// property returns a record property as text: strings as they are,
// numbers as written, booleans as true/false, objects and arrays as JSON;
// null and absent are no value. A dotted name reads a nested property
// when the record has no property of that exact name.
func property(props map[string]any, name string) (string, bool) {
	v, ok := props[name]
	if !ok && strings.Contains(name, ".") {
		var cur any = props
		for _, part := range strings.Split(name, ".") {
			m, isMap := cur.(map[string]any)
			if !isMap {
				return "", false
			}
			if cur, ok = m[part]; !ok {
				return "", false
			}
		}
		v = cur
	}
	switch v := v.(type) {
	case nil:
		return "", false
	case string:
		return v, true
	case json.Number:
		return v.String(), true
	case bool:
		return strconv.FormatBool(v), true
	default:
		b, _ := json.Marshal(v)
		return string(b), true
	}
}
