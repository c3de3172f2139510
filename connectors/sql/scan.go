package sql

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"strconv"
	"time"
)

// each calls fn for every row after cur up to and including upper, in
// (watermark, key) order, reading chunk rows per statement. cells is
// reused between calls; fn must copy what it keeps.
func (s *session) each(ctx context.Context, cur cursor, upper position, chunk int, fn func(cells []any) error) error {
	cells := make([]any, len(s.src.cols))
	ptrs := make([]any, len(cells))
	for i := range cells {
		ptrs[i] = &cells[i]
	}
	for {
		q, args, err := s.src.pageSQL(cur, upper, chunk)
		if err != nil {
			return err
		}
		n, last, err := s.page(ctx, q, args, cells, ptrs, fn)
		if err != nil {
			return err
		}
		if n < chunk {
			return nil
		}
		if cur.pos, err = s.positionOf(last[0], last[1]); err != nil {
			return err
		}
		cur.kind = curFull
	}
}

// page runs one page statement, returning how many rows it read and the
// watermark and key cells of the last one.
func (s *session) page(ctx context.Context, q string, args, cells, ptrs []any, fn func([]any) error) (int, [2]any, error) {
	var last [2]any
	rows, err := s.conn.QueryContext(ctx, q, args...)
	if err != nil {
		return 0, last, s.readErr(ctx, err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return n, last, s.readErr(ctx, err)
		}
		n++
		last[0], last[1] = cells[0], cells[1]
		if err := ctx.Err(); err != nil {
			return n, last, fmt.Errorf("sql: read: %w", err)
		}
		if err := fn(cells); err != nil {
			return n, last, err
		}
	}
	if err := rows.Err(); err != nil {
		return n, last, s.readErr(ctx, err)
	}
	return n, last, nil
}

// readErr wraps an error met while reading, preferring the context's.
func (s *session) readErr(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("sql: read: %w", ctx.Err())
	}
	return s.m.wrap(fmt.Errorf("sql: read: %w", err))
}

// positionOf returns the position of a row from its watermark and key cells.
func (s *session) positionOf(w, k any) (position, error) {
	var p position
	var err error
	if p.Value, p.Type, err = positionValue(w, s.kinds[0]); err != nil {
		return p, fmt.Errorf("sql: watermark column %s %w", s.src.cols[0], err)
	}
	if p.Key, p.KeyType, err = positionValue(k, s.kinds[1]); err != nil {
		return p, fmt.Errorf("sql: key column %s %w", s.src.cols[1], err)
	}
	return p, nil
}

// keyText is a key cell as written in source refs and seen sets.
func keyText(v any) string {
	switch x := v.(type) {
	case int64:
		return strconv.FormatInt(x, 10)
	case []byte:
		return string(x)
	case string:
		return x
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano)
	}
	return fmt.Sprint(v)
}

// rowHash is a short content hash of a row's cells, for the look-back's
// seen set: SHA-256 over each cell's type and value, first 8 bytes in hex.
func rowHash(cells []any) string {
	h := sha256.New()
	var buf [9]byte
	put := func(tag byte, b []byte) {
		buf[0] = tag
		binary.BigEndian.PutUint64(buf[1:], uint64(len(b)))
		h.Write(buf[:])
		h.Write(b)
	}
	for _, c := range cells {
		switch x := c.(type) {
		case nil:
			put('n', nil)
		case int64:
			put('i', strconv.AppendInt(nil, x, 10))
		case float64:
			put('f', binary.BigEndian.AppendUint64(nil, math.Float64bits(x)))
		case bool:
			put('b', strconv.AppendBool(nil, x))
		case []byte:
			put('s', x)
		case string:
			put('s', []byte(x))
		case time.Time:
			put('t', x.UTC().AppendFormat(nil, time.RFC3339Nano))
		default:
			put('?', fmt.Append(nil, x))
		}
	}
	return hex.EncodeToString(h.Sum(nil)[:8])
}
