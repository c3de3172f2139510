package sql

import (
	"strconv"
	"strings"
)

// dialect is what differs between the three database kinds: quoting,
// placeholders, how a consistent read-only snapshot starts, and how a
// column's declared type is read.
type dialect struct {
	driver string
	// begin starts a read-only transaction whose reads all see one
	// snapshot; end finishes it.
	begin []string
	end   string
	// rowValues says whether (a, b) > (x, y) is used (and uses an index);
	// otherwise the comparison is spelled out with OR.
	rowValues bool
}

func dialectFor(driver string) dialect {
	switch driver {
	case Postgres:
		return dialect{driver: driver, rowValues: true, end: "ROLLBACK",
			begin: []string{"BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"}}
	case MySQL:
		return dialect{driver: driver, end: "ROLLBACK", begin: []string{
			"SET TRANSACTION ISOLATION LEVEL REPEATABLE READ",
			"START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY",
		}}
	default:
		// A deferred transaction takes its snapshot at the first read and
		// keeps it until the end (WAL) or holds the shared lock (rollback
		// journal): either way every page sees the same database.
		return dialect{driver: driver, rowValues: true, end: "ROLLBACK", begin: []string{"BEGIN"}}
	}
}

// quote quotes an identifier, or a dotted schema.table.
func (d dialect) quote(name string) string {
	q := `"`
	if d.driver == MySQL {
		q = "`"
	}
	parts := strings.Split(name, ".")
	for i, p := range parts {
		parts[i] = q + strings.ReplaceAll(p, q, q+q) + q
	}
	return strings.Join(parts, ".")
}

// args numbers placeholders as the driver wants them.
type args struct {
	d    dialect
	vals []any
}

// add returns the placeholder for v.
func (a *args) add(v any) string {
	a.vals = append(a.vals, v)
	if a.d.driver == Postgres {
		return "$" + strconv.Itoa(len(a.vals))
	}
	return "?"
}

// colKind is what the source declares a column to be, as far as
// conversion cares; drivers hand most values over as Go types that say
// it already.
type colKind uint8

const (
	kindPlain   colKind = iota // the Go value says what it is
	kindBinary                 // bytes that are not text (bytea, BLOB, VARBINARY)
	kindDate                   // a calendar date
	kindNaive                  // a timestamp without time zone: read in the job's zone
	kindInstant                // a timestamp with time zone, or one the session returns in UTC
	kindDecimal                // an exact number handed over as text
)

// kindOf reads a column's declared type name (sql.ColumnType's
// DatabaseTypeName) for this driver.
func (d dialect) kindOf(typeName string) colKind {
	t := strings.ToUpper(typeName)
	if i := strings.IndexByte(t, '('); i >= 0 {
		t = t[:i]
	}
	t = strings.TrimSpace(t)
	switch d.driver {
	case Postgres:
		switch t {
		case "BYTEA":
			return kindBinary
		case "DATE":
			return kindDate
		case "TIMESTAMP":
			return kindNaive
		case "TIMESTAMPTZ":
			return kindInstant
		case "NUMERIC":
			return kindDecimal
		}
	case MySQL:
		switch t {
		case "BLOB", "TINYBLOB", "MEDIUMBLOB", "LONGBLOB", "BINARY", "VARBINARY", "GEOMETRY":
			return kindBinary
		case "DATE":
			return kindDate
		case "DATETIME":
			return kindNaive
		case "TIMESTAMP":
			return kindInstant // the session's time_zone is UTC
		case "DECIMAL":
			return kindDecimal
		}
	default:
		switch {
		case t == "DATE":
			return kindDate
		case strings.Contains(t, "TIMESTAMP") || strings.Contains(t, "DATETIME"):
			return kindNaive
		case strings.Contains(t, "BLOB"):
			return kindBinary
		case strings.HasPrefix(t, "DECIMAL") || strings.HasPrefix(t, "NUMERIC"):
			return kindDecimal
		}
	}
	return kindPlain
}

// mayBeLong reports whether a column of the declared type may hold text
// or bytes long enough to be cut in the query (see selectCol): text and
// binary types, and in SQLite any column, whose values have no fixed type.
func (d dialect) mayBeLong(typeName string) bool {
	t := strings.ToUpper(typeName)
	if i := strings.IndexByte(t, '('); i >= 0 {
		t = t[:i]
	}
	t = strings.TrimSpace(t)
	switch d.driver {
	case Postgres:
		switch t {
		case "TEXT", "VARCHAR", "BPCHAR", "BYTEA":
			return true
		}
		return false
	case MySQL:
		return strings.HasSuffix(t, "TEXT") || strings.HasSuffix(t, "CHAR") ||
			strings.HasSuffix(t, "BLOB") || strings.HasSuffix(t, "BINARY")
	}
	return true
}
