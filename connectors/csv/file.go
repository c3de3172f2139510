package csv

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"unicode/utf8"

	"github.com/healthanchor/healthanchor/connectors"
	"github.com/healthanchor/healthanchor/schemas"
)

// Log keys.
const (
	logKeyFile    = "file"
	logKeyColumns = "columns"
)

var discardLogger = slog.New(slog.DiscardHandler)

// errEmit marks an error returned by emit, passed back unchanged.
type errEmit struct{ err error }

func (e errEmit) Error() string { return e.err.Error() }
func (e errEmit) Unwrap() error { return e.err }

// readFile streams one window file, checking its planned digest at the end.
func (c *Connector) readFile(ctx context.Context, f connectors.WindowFile, emit connectors.EmitFunc) error {
	in, err := f.Open()
	if err != nil {
		return fmt.Errorf("csv: %w", err)
	}
	defer in.Close()
	err = c.readStream(ctx, f.Key, in, emit)
	var ee errEmit
	switch {
	case errors.As(err, &ee):
		return ee.err
	case err != nil:
		return fmt.Errorf("csv: %w", err)
	}
	return nil
}

// readStream streams the records of one file named key.
func (c *Connector) readStream(ctx context.Context, key string, in io.Reader, emit connectors.EmitFunc) error {
	r := newReader(in, c.delim, c.quote, c.cfg.MaxRecordBytes)
	hadBOM, err := r.skipBOM()
	if err != nil {
		return err
	}
	if hadBOM && c.enc.table != nil {
		c.env.Logger.Warn("file starts with a UTF-8 byte order mark but encoding is "+c.enc.name+"; is it UTF-8?", logKeyFile, key)
	}
	fr := fileReader{c: c, key: key, emit: emit}
	first := true
	var l layout
	done := ctx.Done()
	for {
		select {
		case <-done:
			return ctx.Err()
		default:
		}
		rec, err := r.next()
		if err == io.EOF {
			if first {
				c.env.Logger.Warn("empty file", logKeyFile, key)
			}
			return nil
		}
		if err != nil {
			return err
		}
		if first {
			first = false
			var ok bool
			if l, ok, err = fr.layout(rec); err != nil || !ok {
				if err == nil {
					_, err = io.Copy(io.Discard, in) // still check the digest
				}
				return err
			}
			if *c.cfg.Header {
				continue
			}
		}
		if err := fr.record(l, rec); err != nil {
			return err
		}
	}
}

// fileReader turns the records of one file into rows and rejects.
type fileReader struct {
	c    *Connector
	key  string
	emit connectors.EmitFunc
	row  schemas.Row // reused for every record (see connectors.Record)
	ref  []byte      // scratch for building source_ref
}

// layout reads the file's layout from its first record; ok is false when
// the whole file was rejected.
func (fr *fileReader) layout(rec record) (l layout, ok bool, err error) {
	c := fr.c
	if !*c.cfg.Header {
		l = positionalLayout(c.schema, c.cfg.Mapping)
		if l.fields == 0 {
			l.fields = len(rec.fields)
		}
		for _, col := range l.cols {
			if col.pos >= l.fields {
				return l, false, fr.reject(rec, fmt.Errorf("mapping: column %d (for %s) is past the %d columns of the first record; whole file rejected", col.pos+1, col.field.Name, l.fields))
			}
		}
		return l, true, nil
	}
	if rec.err != nil {
		return l, false, fr.reject(rec, fmt.Errorf("header: %w; whole file rejected", rec.err))
	}
	header := make([]string, len(rec.fields))
	for i, h := range rec.fields {
		if header[i], err = c.enc.decode(h); err != nil {
			return l, false, fr.reject(rec, fmt.Errorf("header: %w; whole file rejected", err))
		}
	}
	l, err = headerLayout(c.schema, c.cfg.Mapping, c.cfg.exprs, header)
	if err != nil {
		return l, false, fr.reject(rec, fmt.Errorf("%w; whole file rejected", err))
	}
	if len(l.unused) > 0 {
		c.env.Logger.Warn("columns not read", logKeyFile, fr.key, logKeyColumns, l.unused)
	}
	return l, true, nil
}

// record emits rec as a row, or as a reject naming what is wrong.
func (fr *fileReader) record(l layout, rec record) error {
	c := fr.c
	if rec.err != nil {
		return fr.reject(rec, rec.err)
	}
	if len(rec.fields) != l.fields {
		return fr.reject(rec, fmt.Errorf("record has %d fields, want %d", len(rec.fields), l.fields))
	}
	fr.ref = strconv.AppendInt(append(append(fr.ref[:0], fr.key...), ':'), int64(rec.line), 10)
	ref := string(fr.ref) // one allocation where key + ":" + Itoa made two
	if fr.row == nil {
		fr.row = c.schema.NewRow()
	}
	row := connectors.ResetRow(fr.row, c.schema, c.cfg.Source, ref)
	// A record valid as UTF-8 as a whole has every field valid: fields are
	// its bytes less some ASCII ones (delimiters, quotes, line ends),
	// always whole characters. One check for the record instead of one
	// a field, which then runs only to name the column at fault.
	text := c.enc.table == nil && utf8.Valid(rec.raw)
	for _, col := range l.cols {
		if col.expr != nil {
			v, err := fr.evalExpr(col, rec, text)
			if err != nil {
				return fr.reject(rec, fmt.Errorf("%s: %w", col.label(), err))
			}
			row[col.idx] = v
			continue
		}
		s := rec.fields[col.pos]
		var err error
		if !text {
			if s, err = c.enc.decode(s); err != nil {
				return fr.reject(rec, fmt.Errorf("%s: %w", col.label(), err))
			}
		}
		if col.sex {
			row[col.idx], err = connectors.NormSex(s)
		} else {
			row[col.idx], err = c.conv.value(col.field, s)
		}
		if err != nil {
			return fr.reject(rec, fmt.Errorf("%s: %w", col.label(), err))
		}
	}
	if err := c.schema.Check(row); err != nil {
		return fr.reject(rec, err)
	}
	return fr.send(connectors.Record{SourceRef: ref, Schema: c.schema, Row: row})
}

// reject emits rec as a reject whose reason starts with file:line.
func (fr *fileReader) reject(rec record, why error) error {
	ref := fr.key + ":" + strconv.Itoa(rec.line)
	return fr.send(connectors.Record{SourceRef: ref, Reject: &connectors.Reject{
		Target: fr.c.schema.ID(),
		Reason: ref + ": " + why.Error(),
		Raw:    append([]byte(nil), rec.raw...),
	}})
}

func (fr *fileReader) send(r connectors.Record) error {
	if err := fr.emit(r); err != nil {
		return errEmit{err}
	}
	return nil
}
