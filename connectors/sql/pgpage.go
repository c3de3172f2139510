package sql

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/stdlib"
)

// pgPage reads one page on the pgx connection under the session's
// database/sql one, inside the transaction begun on it (so in the same
// snapshot). database/sql's row interface boxes every value and pgx's
// adapter allocates each text value on its own; reading here decodes the
// same values, with the same pgx scan plans, into cells directly.
func (f *fetcher) pgPage(ctx context.Context, q string, args []any) (n int, last [2]cell, err error) {
	err = f.s.conn.Raw(func(dc any) error {
		sc, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("sql: read: the postgres connection is a %T, not pgx's", dc)
		}
		conn := sc.Conn()
		rows, err := conn.Query(ctx, q, append([]any{pgResultFormats}, args...)...)
		if err != nil {
			return f.s.readErr(ctx, err)
		}
		defer rows.Close()
		n, last, err = f.drain(ctx, newPGRows(rows, conn.TypeMap()))
		return err
	})
	return n, last, err
}

// pgResultFormats are the result formats pgx's database/sql adapter asks
// for (binary for these types, text for the others), so that values
// decode exactly as they do through database/sql.
var pgResultFormats = pgx.QueryResultFormatsByOID{
	pgtype.BoolOID:        pgx.BinaryFormatCode,
	pgtype.ByteaOID:       pgx.BinaryFormatCode,
	pgtype.CIDOID:         pgx.BinaryFormatCode,
	pgtype.DateOID:        pgx.BinaryFormatCode,
	pgtype.Float4OID:      pgx.BinaryFormatCode,
	pgtype.Float8OID:      pgx.BinaryFormatCode,
	pgtype.Int2OID:        pgx.BinaryFormatCode,
	pgtype.Int4OID:        pgx.BinaryFormatCode,
	pgtype.Int8OID:        pgx.BinaryFormatCode,
	pgtype.OIDOID:         pgx.BinaryFormatCode,
	pgtype.TimestampOID:   pgx.BinaryFormatCode,
	pgtype.TimestamptzOID: pgx.BinaryFormatCode,
	pgtype.XIDOID:         pgx.BinaryFormatCode,
}

// pgRows decodes a page's rows into cells.
type pgRows struct {
	pgx.Rows
	decode []func(src []byte, c *cell) error // per column; nil for text
	buf    []byte
}

func newPGRows(rows pgx.Rows, m *pgtype.Map) *pgRows {
	fds := rows.FieldDescriptions()
	r := &pgRows{Rows: rows, decode: make([]func([]byte, *cell) error, len(fds))}
	for i, fd := range fds {
		r.decode[i] = pgDecoder(m, fd)
	}
	return r
}

// scan fills row from the current row. The text columns of a row share
// one string, carved into the cells' values: one allocation a row rather
// than one a value.
func (r *pgRows) scan(row []cell) error {
	raw := r.RawValues()
	r.buf = r.buf[:0]
	for i, src := range raw {
		if r.decode[i] == nil {
			r.buf = append(r.buf, src...)
		}
	}
	text := string(r.buf)
	for i, src := range raw {
		switch {
		case src == nil:
			row[i] = cell{}
		case r.decode[i] == nil:
			row[i] = cell{typ: cellText, s: text[:len(src)]}
			text = text[len(src):]
		default:
			if err := r.decode[i](src, &row[i]); err != nil {
				return fmt.Errorf("convert field %d failed: %w", i, err)
			}
		}
	}
	return nil
}

// pgDecoder returns how a non-NULL value of a column is decoded: into the
// Go value pgx's database/sql adapter (stdlib.Rows.Next) makes of it, by
// the same scan plan. It returns nil for the text types, whose value is
// the text as sent.
func pgDecoder(m *pgtype.Map, fd pgconn.FieldDescription) func([]byte, *cell) error {
	oid, format := fd.DataTypeOID, fd.Format
	switch oid {
	case pgtype.TextOID, pgtype.VarcharOID, pgtype.BPCharOID, pgtype.NameOID:
		if format == pgx.TextFormatCode {
			return nil
		}
	case pgtype.BoolOID:
		var d bool
		plan := m.PlanScan(oid, format, &d)
		return func(src []byte, c *cell) error {
			err := plan.Scan(src, &d)
			*c = boolCell(d)
			return err
		}
	case pgtype.ByteaOID, pgtype.JSONOID, pgtype.JSONBOID, pgtype.XMLOID:
		var d []byte
		plan := m.PlanScan(oid, format, &d)
		return func(src []byte, c *cell) error {
			d = nil // a fresh slice for every value: cells outlive the row
			err := plan.Scan(src, &d)
			*c = cell{typ: cellBytes, b: d}
			return err
		}
	case pgtype.CIDOID, pgtype.OIDOID, pgtype.XIDOID:
		var d pgtype.Uint32
		plan := m.PlanScan(oid, format, &d)
		return func(src []byte, c *cell) error {
			if err := plan.Scan(src, &d); err != nil {
				return err
			}
			*c = cell{}
			if d.Valid {
				*c = cell{typ: cellInt, n: int64(d.Uint32)}
			}
			return nil
		}
	case pgtype.Float4OID:
		var d float32
		plan := m.PlanScan(oid, format, &d)
		return func(src []byte, c *cell) error {
			err := plan.Scan(src, &d)
			*c = cell{typ: cellFloat, f: float64(d)}
			return err
		}
	case pgtype.Float8OID:
		var d float64
		plan := m.PlanScan(oid, format, &d)
		return func(src []byte, c *cell) error {
			err := plan.Scan(src, &d)
			*c = cell{typ: cellFloat, f: d}
			return err
		}
	case pgtype.Int2OID:
		var d int16
		plan := m.PlanScan(oid, format, &d)
		return func(src []byte, c *cell) error {
			err := plan.Scan(src, &d)
			*c = cell{typ: cellInt, n: int64(d)}
			return err
		}
	case pgtype.Int4OID:
		var d int32
		plan := m.PlanScan(oid, format, &d)
		return func(src []byte, c *cell) error {
			err := plan.Scan(src, &d)
			*c = cell{typ: cellInt, n: int64(d)}
			return err
		}
	case pgtype.Int8OID:
		var d int64
		plan := m.PlanScan(oid, format, &d)
		return func(src []byte, c *cell) error {
			err := plan.Scan(src, &d)
			*c = cell{typ: cellInt, n: d}
			return err
		}
	case pgtype.DateOID:
		var d pgtype.Date
		plan := m.PlanScan(oid, format, &d)
		return func(src []byte, c *cell) error {
			if err := plan.Scan(src, &d); err != nil {
				return err
			}
			*c = timeCell(d.Time, d.InfinityModifier, d.Valid)
			return nil
		}
	case pgtype.TimestampOID:
		var d pgtype.Timestamp
		plan := m.PlanScan(oid, format, &d)
		return func(src []byte, c *cell) error {
			if err := plan.Scan(src, &d); err != nil {
				return err
			}
			*c = timeCell(d.Time, d.InfinityModifier, d.Valid)
			return nil
		}
	case pgtype.TimestamptzOID:
		var d pgtype.Timestamptz
		plan := m.PlanScan(oid, format, &d)
		return func(src []byte, c *cell) error {
			if err := plan.Scan(src, &d); err != nil {
				return err
			}
			*c = timeCell(d.Time, d.InfinityModifier, d.Valid)
			return nil
		}
	}
	var d string
	plan := m.PlanScan(oid, format, &d)
	return func(src []byte, c *cell) error {
		err := plan.Scan(src, &d)
		*c = cell{typ: cellText, s: d}
		return err
	}
}

// timeCell is a date or timestamp as its Value method gives it: NULL when
// not valid, "infinity" or "-infinity" as text, else the time.
func timeCell(t time.Time, inf pgtype.InfinityModifier, valid bool) cell {
	switch {
	case !valid:
		return cell{}
	case inf != pgtype.Finite:
		return cell{typ: cellText, s: inf.String()}
	}
	return cell{typ: cellTime, t: t}
}
