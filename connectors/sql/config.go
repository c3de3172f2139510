package sql

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/healthanchor/healthanchor/connectors"
	"github.com/healthanchor/healthanchor/schemas"
)

// Defaults of the options left empty.
const (
	DefaultSource    = "sql"
	DefaultSchema    = "patient/1"
	DefaultChunkSize = 10000
	// DefaultMaxValueBytes bounds one text or binary value (16 MiB).
	DefaultMaxValueBytes = 16 << 20
	// MaxValueLimit is the largest max_value_bytes accepted (1 GiB).
	MaxValueLimit = 1 << 30
	// MaxChunkSize is the largest chunk_size accepted.
	MaxChunkSize = 1000000
	// MaxLookback is the longest lookback accepted (31 days).
	MaxLookback = 31 * 24 * time.Hour
	// MinMaxWindow and MaxMaxWindow bound max_window (1 minute to about
	// ten years).
	MinMaxWindow = time.Minute
	MaxMaxWindow = 3660 * 24 * time.Hour
)

// The drivers a Config may name.
const (
	Postgres = "postgres"
	MySQL    = "mysql"
	SQLite   = "sqlite"
)

// Config is the sql connector's options (docs/sql.md). Validate applies
// the defaults and names the first bad field.
type Config struct {
	// Driver is postgres, mysql (MySQL and MariaDB) or sqlite.
	Driver string `yaml:"driver"`
	// DSN is the driver's data source name: a postgres:// URL or
	// key=value string, a go-sql-driver/mysql DSN, or a SQLite file path
	// (relative to the job's base folder). ${NAME} is replaced by the
	// environment variable NAME when the connector connects.
	DSN string `yaml:"dsn"`
	// PasswordFile, if set, is a file whose content (trailing newline
	// removed) is the password, kept out of the DSN and the config.
	PasswordFile string `yaml:"password_file"`
	// Table is the table (or schema.table) to read. Exactly one of Table
	// and Query is set.
	Table string `yaml:"table"`
	// Query is a read-only SELECT (or WITH ... SELECT) whose output
	// columns are read as if they were a table's.
	Query string `yaml:"query"`
	// Schema is the canonical schema id the rows are in ("patient/1").
	Schema string `yaml:"schema"`
	// Mapping maps a canonical column to the source column that fills it,
	// or to a mapping expression over source columns (docs/connectors.md).
	// Columns not mapped are filled from a source column of their own
	// name when there is one.
	Mapping map[string]string `yaml:"mapping"`
	// Codes are the code tables mapping expressions look codes up in
	// (docs/connectors.md, "Code tables").
	Codes connectors.CodeTables `yaml:"codes"`
	// CodeTables is the older name of Codes, still read; giving both is
	// an error.
	CodeTables connectors.CodeTables `yaml:"code_tables"`
	// Watermark is the monotonic column the window is read by: a
	// timestamp (updated_at) or an integer (an increasing id).
	Watermark string `yaml:"watermark"`
	// Key is a unique column that orders rows sharing a watermark value.
	Key string `yaml:"key"`
	// ChunkSize is the number of rows fetched per keyset page (1 to
	// MaxChunkSize).
	ChunkSize int `yaml:"chunk_size"`
	// MaxValueBytes bounds one text or binary value (default 16 MiB, at
	// most MaxValueLimit); a row holding a longer one is rejected, its
	// raw cutting every value to its first 64 KiB.
	MaxValueBytes int `yaml:"max_value_bytes"`
	// Lookback, a Go duration ("15m"), re-reads the rows whose timestamp
	// watermark lies that far behind the last one, to catch rows
	// committed late; rows already anchored (same key and content) are
	// skipped. Empty or "0" turns it off.
	Lookback string `yaml:"lookback"`
	// MaxWindow, a Go duration ("24h"), bounds one run's window on a
	// timestamp watermark: it ends at most that far after the first row
	// it holds, so a long backlog (a source that was unreachable for a
	// week) is anchored as one batch per window over successive runs.
	// Empty or "0": no bound.
	MaxWindow string `yaml:"max_window"`
	// Source names the source system in every row's source column.
	Source string `yaml:"source"`
	// RefName starts every row's source_ref ("patients id=42"); it is the
	// table name by default, "query" for a query.
	RefName string `yaml:"ref_name"`
	// Timezone is the IANA zone of naive timestamps (timestamp without
	// time zone, DATETIME); empty means the job's zone, else UTC.
	Timezone string `yaml:"timezone"`

	lookback  time.Duration
	maxWindow time.Duration
	schema    *schemas.Schema
	mapping   *connectors.Mapping
	codes     connectors.CodeTables // Codes or CodeTables
	loc       *time.Location        // Timezone loaded; nil when empty
}

var identRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_$]*$`)

// Validate applies the defaults and checks every option, naming the field
// at fault.
func (c *Config) Validate() error {
	loc, err := connectors.LoadZone(c.Timezone)
	if err != nil {
		return fmt.Errorf("sql: %w", err)
	}
	c.loc = loc
	switch c.Driver {
	case Postgres, MySQL, SQLite:
	case "postgresql", "pgx":
		c.Driver = Postgres
	case "mariadb":
		c.Driver = MySQL
	case "sqlite3":
		c.Driver = SQLite
	case "":
		return fmt.Errorf("sql: driver: required (postgres, mysql or sqlite)")
	default:
		return fmt.Errorf("sql: driver: %q is not postgres, mysql or sqlite", c.Driver)
	}
	if strings.TrimSpace(c.DSN) == "" {
		return fmt.Errorf("sql: dsn: required")
	}
	if c.PasswordFile != "" && c.Driver == SQLite {
		return fmt.Errorf("sql: password_file: a SQLite database has no password")
	}
	if inlinePassword(c.DSN) {
		return fmt.Errorf("sql: dsn: %s holds a password: secrets never go in the config; use password_file, or an environment variable in the DSN (postgres://reader:${REGISTRY_PASSWORD}@host/db)", redactDSN(c.DSN))
	}
	switch {
	case c.Table == "" && c.Query == "":
		return fmt.Errorf("sql: table or query: one is required")
	case c.Table != "" && c.Query != "":
		return fmt.Errorf("sql: table and query: give one, not both")
	case c.Table != "":
		for _, part := range strings.Split(c.Table, ".") {
			if !identRE.MatchString(part) {
				return fmt.Errorf("sql: table: %q is not a plain [schema.]name", c.Table)
			}
		}
	default:
		if err := checkReadOnly(c.Query); err != nil {
			return fmt.Errorf("sql: query: %w", err)
		}
	}
	if c.Schema == "" {
		c.Schema = DefaultSchema
	}
	s, err := schemas.Lookup(c.Schema)
	if err != nil {
		return fmt.Errorf("sql: schema: %w", err)
	}
	c.schema = s
	if c.codes, err = connectors.JobCodes(c.Codes, c.CodeTables); err != nil {
		return fmt.Errorf("sql: %w", err)
	}
	if c.mapping, err = connectors.CompileMapping(s, c.Mapping, c.codes); err != nil {
		return fmt.Errorf("sql: %w", err)
	}
	for col := range c.Mapping {
		for _, from := range c.mapping.Expr(s.Index(col)).Columns() {
			if !identRE.MatchString(from) {
				return fmt.Errorf("sql: mapping.%s: %q is not a plain column name", col, from)
			}
		}
	}
	for name, v := range map[string]string{"watermark": c.Watermark, "key": c.Key} {
		if v == "" {
			return fmt.Errorf("sql: %s: required (a column name)", name)
		}
		if !identRE.MatchString(v) {
			return fmt.Errorf("sql: %s: %q is not a plain column name", name, v)
		}
	}
	if c.ChunkSize == 0 {
		c.ChunkSize = DefaultChunkSize
	}
	if c.ChunkSize < 1 || c.ChunkSize > MaxChunkSize {
		return fmt.Errorf("sql: chunk_size: %d is out of range (1 to %d)", c.ChunkSize, MaxChunkSize)
	}
	if c.MaxValueBytes == 0 {
		c.MaxValueBytes = DefaultMaxValueBytes
	}
	if c.MaxValueBytes < 1024 || c.MaxValueBytes > MaxValueLimit {
		return fmt.Errorf("sql: max_value_bytes: %d is out of range (1024 to %d)", c.MaxValueBytes, MaxValueLimit)
	}
	if c.Lookback != "" {
		d, err := time.ParseDuration(c.Lookback)
		if err != nil {
			return fmt.Errorf("sql: lookback: %q is not a duration such as 15m or 2h", c.Lookback)
		}
		if d < 0 || d > MaxLookback {
			return fmt.Errorf("sql: lookback: %s is out of range (0 to %s)", d, MaxLookback)
		}
		c.lookback = d
	}
	if c.MaxWindow != "" {
		d, err := time.ParseDuration(c.MaxWindow)
		if err != nil {
			return fmt.Errorf("sql: max_window: %q is not a duration such as 24h", c.MaxWindow)
		}
		if d != 0 && (d < MinMaxWindow || d > MaxMaxWindow) {
			return fmt.Errorf("sql: max_window: %s is out of range (%s to %s; 0 for no bound)", d, MinMaxWindow, MaxMaxWindow)
		}
		c.maxWindow = d
	}
	if c.Source == "" {
		c.Source = DefaultSource
	}
	if c.RefName == "" {
		c.RefName = c.Table
		if c.Query != "" {
			c.RefName = "query"
		}
	}
	return nil
}

// checkReadOnly accepts one SELECT or WITH statement, without a second
// statement after a semicolon. The snapshot is read-only anyway; this
// catches the mistake early and with a clear message.
func checkReadOnly(q string) error {
	s := strings.TrimSpace(stripComments(q))
	s = strings.TrimSpace(strings.TrimSuffix(s, ";"))
	if s == "" {
		return fmt.Errorf("empty")
	}
	word := strings.ToUpper(strings.Fields(s)[0])
	if word != "SELECT" && word != "WITH" {
		return fmt.Errorf("must be a SELECT (or WITH ... SELECT), not %s", word)
	}
	if strings.Contains(s, ";") {
		return fmt.Errorf("must be one statement (found a ';')")
	}
	if m := writeRE.FindString(strings.ToUpper(s)); m != "" {
		return fmt.Errorf("must be read-only (found %s)", m)
	}
	return nil
}

func stripComments(q string) string {
	var b strings.Builder
	for _, line := range strings.Split(q, "\n") {
		if i := strings.Index(line, "--"); i >= 0 {
			line = line[:i]
		}
		b.WriteString(line)
		b.WriteByte('\n')
	}
	return b.String()
}

var writeRE = regexp.MustCompile(`\b(INSERT|UPDATE|DELETE|MERGE|INTO|FOR\s+UPDATE|FOR\s+SHARE)\b`)
