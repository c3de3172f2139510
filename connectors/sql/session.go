package sql

import (
	"context"
	dbsql "database/sql"
	"fmt"
	"strings"

	"github.com/healthanchor/healthanchor/connectors"
	"github.com/healthanchor/healthanchor/schemas"
)

// session is one connection holding one read-only snapshot, with the
// source resolved against it. Plan and Read each open their own and
// close it before returning, so a connector holds nothing between runs.
type session struct {
	db   *dbsql.DB
	conn *dbsql.Conn
	m    *masker
	d    dialect
	src  source
	// kinds are the declared kinds of src.cols.
	kinds []colKind
	// exprs are, per schema field filled by a mapping expression, the
	// index in src.cols of each column it reads (by lower-case name);
	// nil for the other fields.
	exprs []map[string]int
	open  bool // the snapshot is begun
}

// testHookSnapshot, when set by a test, runs on the connection once the
// snapshot has begun.
var testHookSnapshot func(ctx context.Context, conn *dbsql.Conn)

// connect opens the database, begins the snapshot and resolves the
// source's columns. Errors name what failed, with the password masked.
func (c *Connector) connect(ctx context.Context) (*session, error) {
	s := &session{m: &masker{}, d: dialectFor(c.cfg.Driver)}
	db, err := openDB(&c.cfg, c.connEnv(), s.m)
	if err != nil {
		return nil, err
	}
	s.db = db
	s.conn, err = db.Conn(ctx)
	if err != nil {
		db.Close()
		return nil, s.m.wrap(fmt.Errorf("sql: connect to %s: %w", c.cfg.Driver, err))
	}
	for _, stmt := range s.d.begin {
		if _, err := s.conn.ExecContext(ctx, stmt); err != nil {
			s.close()
			return nil, s.m.wrap(fmt.Errorf("sql: %s: %w", stmt, err))
		}
	}
	s.open = true
	if testHookSnapshot != nil {
		testHookSnapshot(ctx, s.conn)
	}
	if err := s.resolve(ctx, &c.cfg); err != nil {
		s.close()
		return nil, s.m.wrap(err)
	}
	return s, nil
}

// close ends the snapshot and releases the connection.
func (s *session) close() {
	if s.open {
		// Best effort: closing the connection ends the transaction anyway.
		_, _ = s.conn.ExecContext(context.Background(), s.d.end)
		s.open = false
	}
	if s.conn != nil {
		s.conn.Close()
	}
	s.db.Close()
}

// what names the source in messages.
func what(cfg *Config) string {
	if cfg.Table != "" {
		return "table " + cfg.Table
	}
	return "query"
}

// resolve reads the source's column names and decides which column fills
// each canonical field.
func (s *session) resolve(ctx context.Context, cfg *Config) error {
	from := fromClause(s.d, cfg)
	rows, err := s.conn.QueryContext(ctx, probeSQL(from))
	if err != nil {
		return fmt.Errorf("sql: %s: %w", what(cfg), err)
	}
	types, err := rows.ColumnTypes()
	rows.Close()
	if err != nil {
		return fmt.Errorf("sql: %s: %w", what(cfg), err)
	}
	names := make([]string, len(types))
	byName := make(map[string]string, len(types))
	kindByName := make(map[string]colKind, len(types))
	longByName := make(map[string]bool, len(types))
	for i, t := range types {
		names[i] = t.Name()
		byName[strings.ToLower(t.Name())] = t.Name()
		kindByName[strings.ToLower(t.Name())] = s.d.kindOf(t.DatabaseTypeName())
		longByName[strings.ToLower(t.Name())] = s.d.mayBeLong(t.DatabaseTypeName())
	}
	find := func(opt, name string) (string, error) {
		if n, ok := byName[strings.ToLower(name)]; ok {
			return n, nil
		}
		return "", fmt.Errorf("sql: %s: %s has no column %q (columns: %s)", opt, what(cfg), name, strings.Join(names, ", "))
	}
	s.src = source{d: s.d, from: from, maxValue: cfg.MaxValueBytes}
	w, err := find("watermark", cfg.Watermark)
	if err != nil {
		return err
	}
	k, err := find("key", cfg.Key)
	if err != nil {
		return err
	}
	s.src.cols = []string{w, k}
	if strings.EqualFold(w, k) {
		s.src.cols = []string{w, w}
	}
	index := map[string]int{}
	for i, c := range s.src.cols {
		index[strings.ToLower(c)] = i
	}
	// use selects a source column and returns its index in s.src.cols.
	use := func(col string) int {
		j, ok := index[strings.ToLower(col)]
		if !ok {
			j = len(s.src.cols)
			s.src.cols = append(s.src.cols, col)
			index[strings.ToLower(col)] = j
		}
		return j
	}
	s.src.fields = make([]int, len(cfg.schema.Fields))
	s.exprs = make([]map[string]int, len(cfg.schema.Fields))
	for i, f := range cfg.schema.Fields {
		s.src.fields[i] = -1
		if i < schemas.NumCommon {
			continue
		}
		e := cfg.mapping.Expr(i)
		if e != nil && !isColumn(e) {
			// An expression: select every column it reads.
			s.exprs[i] = map[string]int{}
			for _, name := range e.Columns() {
				col, err := find("mapping."+f.Name, name)
				if err != nil {
					return err
				}
				s.exprs[i][strings.ToLower(name)] = use(col)
			}
			continue
		}
		name, mapped := f.Name, e != nil
		if mapped {
			name, _ = e.Column()
		}
		col, err := find("mapping."+f.Name, name)
		if err != nil {
			if mapped || f.Required {
				return err
			}
			continue
		}
		s.src.fields[i] = use(col)
	}
	s.kinds = make([]colKind, len(s.src.cols))
	s.src.long = make([]bool, len(s.src.cols))
	for i, c := range s.src.cols {
		s.kinds[i] = kindByName[strings.ToLower(c)]
		s.src.long[i] = longByName[strings.ToLower(c)]
	}
	return nil
}

// isColumn tells whether a mapping expression is a bare column.
func isColumn(e *connectors.Expr) bool {
	_, ok := e.Column()
	return ok
}
