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
	case string:
		return x
	case []byte:
		return string(x)
	}
	return string(appendKey(nil, v))
}

// appendKey appends keyText(v) to b.
func appendKey(b []byte, v any) []byte {
	switch x := v.(type) {
	case int64:
		return strconv.AppendInt(b, x, 10)
	case []byte:
		return append(b, x...)
	case string:
		return append(b, x...)
	case time.Time:
		return x.UTC().AppendFormat(b, time.RFC3339Nano)
	}
	return fmt.Append(b, v)
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
