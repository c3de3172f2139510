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

// readErr wraps an error met while reading, preferring the context's.
func (s *session) readErr(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("sql: read: %w", ctx.Err())
	}
	return s.m.wrap(fmt.Errorf("sql: read: %w", err))
}

// positionOf returns the position of a row from its watermark and key cells.
func (s *session) positionOf(w, k cell) (position, error) {
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
func keyText(c cell) string {
	switch c.typ {
	case cellText:
		return c.s
	case cellBytes:
		return string(c.b)
	}
	return string(appendKey(nil, c))
}

// appendKey appends keyText(v) to b.
func appendKey(b []byte, c cell) []byte {
	switch c.typ {
	case cellInt:
		return strconv.AppendInt(b, c.n, 10)
	case cellBytes:
		return append(b, c.b...)
	case cellText:
		return append(b, c.s...)
	case cellTime:
		return c.t.UTC().AppendFormat(b, time.RFC3339Nano)
	}
	return fmt.Append(b, c.value())
}

// rowHash is a short content hash of a row's cells, for the look-back's
// seen set: SHA-256 over each cell's type and value, first 8 bytes in hex.
func rowHash(cells []cell) string {
	h := sha256.New()
	var buf [9]byte
	put := func(tag byte, b []byte) {
		buf[0] = tag
		binary.BigEndian.PutUint64(buf[1:], uint64(len(b)))
		h.Write(buf[:])
		h.Write(b)
	}
	for _, c := range cells {
		switch c.typ {
		case cellNull:
			put('n', nil)
		case cellInt:
			put('i', strconv.AppendInt(nil, c.n, 10))
		case cellFloat:
			put('f', binary.BigEndian.AppendUint64(nil, math.Float64bits(c.f)))
		case cellBool:
			put('b', strconv.AppendBool(nil, c.n != 0))
		case cellBytes:
			put('s', c.b)
		case cellText:
			put('s', []byte(c.s))
		case cellTime:
			put('t', c.t.UTC().AppendFormat(nil, time.RFC3339Nano))
		default:
			put('?', fmt.Append(nil, c.v))
		}
	}
	return hex.EncodeToString(h.Sum(nil)[:8])
}
