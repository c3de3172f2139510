package sql

import (
	"bytes"
	"context"
	"time"

	"github.com/healthanchor/healthanchor/connectors"
)

// Read streams the rows of the window (from, to] in (watermark, key)
// order, in keyset-paginated chunks inside one read-only snapshot. With a
// look-back it first re-reads the rows of the horizon behind from and
// streams those not already anchored (their key and content hash are not
// in from's seen set). Rows inside to's horizon are streamed only in the
// version Plan recorded; a version changed since is left to the next run,
// so no version is streamed twice.
func (c *Connector) Read(ctx context.Context, from, to connectors.Watermark, emit connectors.EmitFunc) error {
	if len(to) == 0 || bytes.Equal(from, to) {
		return nil
	}
	fm, err := decodeMark(from)
	if err != nil {
		return err
	}
	tm, err := decodeMark(to)
	if err != nil {
		return err
	}
	s, err := c.connect(ctx)
	if err != nil {
		return err
	}
	defer s.close()
	r := &rowReader{c: c, s: s, rec: c.newRecorder(s), emit: emit, to: tm}
	if c.cfg.lookback > 0 {
		if r.horizon, err = c.horizonTime(tm.position); err != nil {
			return err
		}
	}
	main := cursor{kind: curNone}
	if fm != nil {
		main = cursor{kind: curFull, pos: fm.position}
		if c.cfg.lookback > 0 {
			lower, err := c.horizonStart(fm.position)
			if err != nil {
				return err
			}
			r.seen = fm.Seen
			if err := s.each(ctx, lower, fm.position, c.cfg.ChunkSize, r.lookback); err != nil {
				return err
			}
		}
	}
	return s.each(ctx, main, tm.position, c.cfg.ChunkSize, r.main)
}

// horizonTime is the instant after which a row lies in p's horizon.
func (c *Connector) horizonTime(p position) (time.Time, error) {
	start, err := c.horizonStart(p)
	if err != nil {
		return time.Time{}, err
	}
	t, _, err := parseTimeValue(start.pos.Value)
	return t, err
}

// rowReader decides, row by row, what Read streams.
type rowReader struct {
	c       *Connector
	s       *session
	rec     *recorder
	emit    connectors.EmitFunc
	to      *mark
	seen    map[string]string // from's seen set, during the look-back pass
	horizon time.Time         // rows after it are in to's horizon (look-back only)
}

// lookback handles a row at or before from: it is streamed when it is a
// version not anchored yet.
func (r *rowReader) lookback(cells []cell) error {
	if r.seen[keyText(cells[1])] == rowHash(cells) {
		return nil
	}
	return r.main(cells)
}

// main streams a row after from, unless it lies in to's horizon in a
// version other than the one Plan recorded there.
func (r *rowReader) main(cells []cell) error {
	if r.c.cfg.lookback > 0 && r.inHorizon(cells[0]) {
		if r.to.Seen[keyText(cells[1])] != rowHash(cells) {
			return nil
		}
	}
	return r.emit(r.rec.record(cells))
}

// inHorizon reports whether a watermark cell lies in to's horizon.
func (r *rowReader) inHorizon(w cell) bool {
	v, _, err := positionValue(w, r.s.kinds[0])
	if err != nil {
		return false
	}
	t, _, err := parseTimeValue(v)
	return err == nil && t.After(r.horizon)
}
