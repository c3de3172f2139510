package sql

import (
	"fmt"
	"strconv"
	"strings"
)

// source is the table or query as resolved against the database: the
// FROM clause, the columns read (watermark first, key second) and the
// column each canonical field is filled from.
type source struct {
	d      dialect
	from   string
	cols   []string // source column names, as the database spells them
	fields []int    // per schema field: index into cols, or -1
	// long says which columns may hold long text or bytes; maxValue is
	// max_value_bytes. A long value is cut in the query to maxValue+1
	// bytes or characters, so that the driver never hands over more.
	long     []bool
	maxValue int
}

// cursor is where a page starts (exclusively).
type cursor struct {
	kind int // curNone, curValue or curFull
	pos  position
}

const (
	curNone  = iota // from the first row
	curValue        // after every row whose watermark is <= pos.Value
	curFull         // after pos, in (watermark, key) order
)

// fromClause returns what follows FROM for a table or a query.
func fromClause(d dialect, cfg *Config) string {
	if cfg.Table != "" {
		return d.quote(cfg.Table)
	}
	q := strings.TrimSpace(cfg.Query)
	q = strings.TrimSpace(strings.TrimSuffix(q, ";"))
	return "(" + q + ") AS healthanchor_src"
}

// probeSQL returns a statement that reads no row but names the columns.
func probeSQL(from string) string { return "SELECT * FROM " + from + " LIMIT 0" }

func (s *source) wm() string  { return s.d.quote(s.cols[0]) }
func (s *source) key() string { return s.d.quote(s.cols[1]) }

// selectList is the quoted column list.
func (s *source) selectList() string {
	q := make([]string, len(s.cols))
	for i := range s.cols {
		q[i] = s.selectCol(i)
	}
	return strings.Join(q, ", ")
}

// oversizeMarker starts the text SQLite returns in place of a value over
// max_value_bytes, followed by the value's size in bytes. The NUL byte
// keeps it apart from any text a source can hold as a value to anchor.
const oversizeMarker = "\x00healthanchor: oversized value of "

// selectCol is column i as selected. SQLite's driver turns the text of a
// column declared DATE, DATETIME or TIMESTAMP into a time.Time, losing
// the text the column compares by; a unary + (a no-op that drops the
// declared type) keeps the value as stored. A column other than the
// watermark and key that may hold long values is cut when its value is
// over maxValue bytes, so that the driver never hands the value over
// (the row is rejected anyway, and reading stays in bounded memory): a
// server cuts it to maxValue+1 bytes or characters; SQLite, which runs in
// this process and would load the whole value to cut it, returns
// oversizeMarker and the size instead (octet_length reads only the size).
func (s *source) selectCol(i int) string {
	q := s.d.quote(s.cols[i])
	v := q
	if s.d.driver == SQLite {
		v = "+" + q
	}
	if i >= 2 && i < len(s.long) && s.long[i] && s.maxValue > 0 {
		over := "octet_length(" + q + ") > " + strconv.Itoa(s.maxValue)
		cut := "substr(" + v + ", 1, " + strconv.Itoa(s.maxValue+1) + ")"
		if s.d.driver == SQLite {
			cut = "char(0) || '" + oversizeMarker[1:] + "' || octet_length(" + q + ")"
		}
		v = "CASE WHEN " + over + " THEN " + cut + " ELSE " + v + " END"
	}
	if v == q {
		return q
	}
	return v + " AS " + q
}

// compare returns "(w, k) op (v, k')" for op > or <=, spelled with OR
// where row values are not used.
func (s *source) compare(a *args, op string, p position) (string, error) {
	v, err := s.d.arg(p.Value, p.Type)
	if err != nil {
		return "", err
	}
	k, err := s.d.arg(p.Key, p.KeyType)
	if err != nil {
		return "", err
	}
	if s.d.rowValues {
		return fmt.Sprintf("(%s, %s) %s (%s, %s)", s.wm(), s.key(), op, a.add(v), a.add(k)), nil
	}
	strict := "<"
	if op == ">" {
		strict = ">"
	}
	return fmt.Sprintf("(%s %s %s OR (%s = %s AND %s %s %s))",
		s.wm(), strict, a.add(v), s.wm(), a.add(v), s.key(), op, a.add(k)), nil
}

// pageSQL returns the statement reading the next n rows after cur, up to
// and including upper, in (watermark, key) order.
func (s *source) pageSQL(cur cursor, upper position, n int) (string, []any, error) {
	a := &args{d: s.d}
	where := []string{s.wm() + " IS NOT NULL", s.key() + " IS NOT NULL"}
	switch cur.kind {
	case curValue:
		v, err := s.d.arg(cur.pos.Value, cur.pos.Type)
		if err != nil {
			return "", nil, err
		}
		where = append(where, s.wm()+" > "+a.add(v))
	case curFull:
		c, err := s.compare(a, ">", cur.pos)
		if err != nil {
			return "", nil, err
		}
		where = append(where, c)
	}
	c, err := s.compare(a, "<=", upper)
	if err != nil {
		return "", nil, err
	}
	where = append(where, c)
	q := "SELECT " + s.selectList() + " FROM " + s.from + " WHERE " + strings.Join(where, " AND ") +
		" ORDER BY " + s.wm() + ", " + s.key() + " LIMIT " + strconv.Itoa(n)
	return q, a.vals, nil
}

// lastSQL returns the statement reading the last position after from
// (nil: of the whole source).
func (s *source) lastSQL(from *position, capValue string) (string, []any, error) {
	return s.edgeSQL(from, capValue, "DESC")
}

// firstSQL returns the statement finding the first position after from.
func (s *source) firstSQL(from *position) (string, []any, error) {
	return s.edgeSQL(from, "", "ASC")
}

// edgeSQL finds the first (ASC) or last (DESC) position after from, with
// a watermark at most capValue when it is not empty.
func (s *source) edgeSQL(from *position, capValue, dir string) (string, []any, error) {
	a := &args{d: s.d}
	where := []string{s.wm() + " IS NOT NULL", s.key() + " IS NOT NULL"}
	if from != nil {
		c, err := s.compare(a, ">", *from)
		if err != nil {
			return "", nil, err
		}
		where = append(where, c)
	}
	if capValue != "" {
		v, err := s.d.arg(capValue, typeTime)
		if err != nil {
			return "", nil, err
		}
		where = append(where, s.wm()+" <= "+a.add(v))
	}
	q := "SELECT " + s.selectCol(0) + ", " + s.selectCol(1) + " FROM " + s.from + " WHERE " + strings.Join(where, " AND ") +
		" ORDER BY " + s.wm() + " " + dir + ", " + s.key() + " " + dir + " LIMIT 1"
	return q, a.vals, nil
}
