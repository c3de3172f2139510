package sql

import (
	"context"
	"fmt"

	"github.com/healthanchor/healthanchor/connectors"
)

// Plan fixes the window's upper bound: the last (watermark, key) position
// of the source now. With a look-back it also records the content hash
// of every row in the horizon behind that bound, which is what the next
// run's look-back compares against. It returns from itself when nothing
// is new.
func (c *Connector) Plan(ctx context.Context, from connectors.Watermark) (connectors.Watermark, error) {
	fm, err := decodeMark(from)
	if err != nil {
		return nil, err
	}
	s, err := c.connect(ctx)
	if err != nil {
		return nil, err
	}
	defer s.close()
	var after *position
	if fm != nil {
		after = &fm.position
	}
	capValue, err := c.windowCap(ctx, s, after)
	if err != nil {
		return nil, err
	}
	upper, found, err := s.last(ctx, after, capValue)
	if err != nil {
		return nil, err
	}
	if !found {
		if fm == nil {
			return from, nil // an empty source
		}
		upper = fm.position
	}
	to := &mark{position: upper}
	if c.cfg.lookback > 0 {
		lower, err := c.horizonStart(upper)
		if err != nil {
			return nil, err
		}
		to.Seen = map[string]string{}
		err = s.each(ctx, lower, upper, c.cfg.ChunkSize, func(cells []cell) error {
			to.Seen[keyText(cells[1])] = rowHash(cells)
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	if fm != nil && fm.position == to.position && sameSeen(fm.Seen, to.Seen) {
		return from, nil
	}
	return to.encode(), nil
}

// windowCap returns the largest watermark this run's window may reach
// with max_window set: the first new row's plus max_window ("" for no
// bound, or when nothing is new).
func (c *Connector) windowCap(ctx context.Context, s *session, after *position) (string, error) {
	if c.cfg.maxWindow == 0 {
		return "", nil
	}
	q, args, err := s.src.firstSQL(after)
	if err != nil {
		return "", err
	}
	first, found, err := s.position(ctx, q, args)
	if err != nil || !found {
		return "", err
	}
	if first.Type != typeTime {
		return "", fmt.Errorf("sql: max_window: needs a date or timestamp watermark column; %s is %s", c.cfg.Watermark, first.Type)
	}
	return minus(first.Value, -c.cfg.maxWindow)
}

// last returns the last position after from (or of the whole source),
// with a watermark at most capValue when it is not empty.
func (s *session) last(ctx context.Context, from *position, capValue string) (position, bool, error) {
	q, args, err := s.src.lastSQL(from, capValue)
	if err != nil {
		return position{}, false, err
	}
	return s.position(ctx, q, args)
}

// position runs a query returning at most one (watermark, key) row.
func (s *session) position(ctx context.Context, q string, args []any) (position, bool, error) {
	rows, err := s.conn.QueryContext(ctx, q, args...)
	if err != nil {
		return position{}, false, s.readErr(ctx, err)
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return position{}, false, s.readErr(ctx, err)
		}
		return position{}, false, nil
	}
	var w, k any
	if err := rows.Scan(&w, &k); err != nil {
		return position{}, false, s.readErr(ctx, err)
	}
	p, err := s.positionOf(cellOf(w), cellOf(k))
	return p, err == nil, err
}

// horizonStart is where the look-back behind p starts: every row whose
// watermark is within lookback of p's.
func (c *Connector) horizonStart(p position) (cursor, error) {
	if p.Type != typeTime {
		return cursor{}, fmt.Errorf("sql: lookback: needs a date or timestamp watermark column; %s is %s", c.cfg.Watermark, p.Type)
	}
	v, err := minus(p.Value, c.cfg.lookback)
	if err != nil {
		return cursor{}, err
	}
	return cursor{kind: curValue, pos: position{Value: v, Type: typeTime}}, nil
}
