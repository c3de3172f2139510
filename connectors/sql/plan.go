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
	upper, found, err := s.last(ctx, after)
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
		err = s.each(ctx, lower, upper, c.cfg.ChunkSize, func(cells []any) error {
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

// last returns the last position after from (or of the whole source).
func (s *session) last(ctx context.Context, from *position) (position, bool, error) {
	q, args, err := s.src.lastSQL(from)
	if err != nil {
		return position{}, false, err
	}
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
	p, err := s.positionOf(w, k)
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
