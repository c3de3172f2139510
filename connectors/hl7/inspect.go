package hl7

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// Inspect prints, for each message of the file at path in order, the
// decoded values at the given terser paths (see Path); it backs
// `healthanchor hl7 get`. fallback names the charset of undeclared
// non-UTF-8 messages ("" for windows-1252).
//
// Text output is one line per message, tab-separated: the message index
// (from 1), MSH-10, then PATH=value for each path, an explicit null
// shown as "" and a value that is not present as nothing; a rejected
// message prints its index and "reject:" with the reason. JSON output is
// one object per line: {"index": i, "control_id": MSH-10, "values":
// {PATH: value}}, an explicit null as null and a value not present as
// "", or {"index": i, "reject": reason}. Text outside any message is
// reported with its line ({"line": n, "reject": reason}).
//
// Inspect fails only when a path is malformed or the file cannot be read.
func Inspect(w io.Writer, path string, paths []string, asJSON bool, fallback string) error {
	ps := make([]Path, len(paths))
	for i, s := range paths {
		p, err := ParsePath(s)
		if err != nil {
			return err
		}
		ps[i] = p
	}
	if fallback == "" {
		fallback = DefaultFallback
	}
	fb, err := LookupCharset(fallback)
	if err != nil {
		return fmt.Errorf("hl7: fallback charset: %w", err)
	}
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("hl7: %w", err)
	}
	defer f.Close()
	bw := bufio.NewWriter(w)
	s := newStream(f, path, DefaultMaxFrame, fb)
	for {
		it, err := s.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("hl7: %s: %w", path, err)
		}
		if it.reject == nil && it.msg == nil {
			continue
		}
		if asJSON {
			err = inspectJSON(bw, it, paths, ps)
		} else {
			inspectText(bw, it, paths, ps)
		}
		if err != nil {
			return fmt.Errorf("hl7: %w", err)
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("hl7: %w", err)
	}
	return nil
}

func inspectText(w *bufio.Writer, it item, names []string, ps []Path) {
	if it.index == 0 {
		fmt.Fprintf(w, "line %d\treject: %s\n", it.frame.Line, it.reject.Reason)
		return
	}
	w.WriteString(strconv.Itoa(it.index))
	if it.reject != nil {
		fmt.Fprintf(w, "\treject: %s\n", oneLine(it.reject.Reason))
		return
	}
	w.WriteByte('\t')
	w.WriteString(oneLine(it.msg.ControlID()))
	for i, p := range ps {
		v := it.msg.Get(p)
		w.WriteByte('\t')
		w.WriteString(names[i])
		w.WriteByte('=')
		switch v.Presence() {
		case Null:
			w.WriteString(`""`)
		case Present:
			w.WriteString(oneLine(v.String()))
		}
	}
	w.WriteByte('\n')
}

// oneLine keeps a value on its line: tabs and line breaks are escaped.
func oneLine(s string) string {
	if !strings.ContainsAny(s, "\t\r\n\\") {
		return s
	}
	return strings.NewReplacer(`\`, `\\`, "\t", `\t`, "\r", `\r`, "\n", `\n`).Replace(s)
}

func inspectJSON(w *bufio.Writer, it item, names []string, ps []Path) error {
	var obj any
	switch {
	case it.index == 0:
		obj = struct {
			Line   int    `json:"line"`
			Reject string `json:"reject"`
		}{it.frame.Line, it.reject.Reason}
	case it.reject != nil:
		obj = struct {
			Index  int    `json:"index"`
			Reject string `json:"reject"`
		}{it.index, it.reject.Reason}
	default:
		vals := make(orderedValues, len(ps))
		for i, p := range ps {
			v := it.msg.Get(p)
			vals[i] = namedValue{names[i], v.String(), v.Presence() == Null}
		}
		obj = struct {
			Index     int           `json:"index"`
			ControlID string        `json:"control_id"`
			Values    orderedValues `json:"values"`
		}{it.index, it.msg.ControlID(), vals}
	}
	b, err := marshal(obj)
	if err != nil {
		return err
	}
	w.Write(b)
	return w.WriteByte('\n')
}

// marshal is json.Marshal without HTML escaping ("&" stays "&").
func marshal(v any) ([]byte, error) {
	var buf strings.Builder
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return []byte(strings.TrimSuffix(buf.String(), "\n")), nil
}

type namedValue struct {
	name, value string
	null        bool
}

// orderedValues marshals as a JSON object keeping the paths' order.
type orderedValues []namedValue

func (o orderedValues) MarshalJSON() ([]byte, error) {
	b := []byte{'{'}
	for i, v := range o {
		if i > 0 {
			b = append(b, ',')
		}
		k, _ := marshal(v.name)
		b = append(b, k...)
		b = append(b, ':')
		if v.null {
			b = append(b, "null"...)
			continue
		}
		s, err := marshal(v.value)
		if err != nil {
			return nil, err
		}
		b = append(b, s...)
	}
	return append(b, '}'), nil
}
