package sql

import (
	dbsql "database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// LookupEnv resolves the ${NAME} references of a DSN. The connector uses
// os.LookupEnv unless the Env it is opened with says otherwise.
type LookupEnv func(name string) (string, bool)

var envRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)

// secretEnvName tells the environment variables whose values are masked
// even when they do not end up as the password.
var secretEnvName = regexp.MustCompile(`(?i)pass|secret|pwd|token|key`)

// expandEnv replaces ${NAME} in dsn, remembering secret-looking values.
func expandEnv(dsn string, lookup LookupEnv, m *masker) (string, error) {
	var missing []string
	out := envRef.ReplaceAllStringFunc(dsn, func(ref string) string {
		name := envRef.FindStringSubmatch(ref)[1]
		v, ok := lookup(name)
		if !ok {
			missing = append(missing, name)
			return ""
		}
		if secretEnvName.MatchString(name) {
			m.add(v)
		}
		return v
	})
	if len(missing) > 0 {
		return "", fmt.Errorf("sql: dsn: environment variable %s is not set", strings.Join(missing, ", "))
	}
	return out, nil
}

// readPasswordFile returns the password kept in path, without its
// trailing newline.
func readPasswordFile(path, baseDir string) (string, error) {
	if !filepath.IsAbs(path) {
		path = filepath.Join(baseDir, path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return "", fmt.Errorf("sql: password_file %s: %w", path, err)
	}
	return strings.TrimRight(string(b), "\r\n"), nil
}

// openDB opens a database handle for cfg. It does not connect yet; the
// caller pings or queries. Every secret it meets is added to m.
func openDB(cfg *Config, env connEnv, m *masker) (*dbsql.DB, error) {
	dsn, err := expandEnv(cfg.DSN, env.lookup, m)
	if err != nil {
		return nil, err
	}
	password := ""
	if cfg.PasswordFile != "" {
		if password, err = readPasswordFile(cfg.PasswordFile, env.baseDir); err != nil {
			return nil, err
		}
		m.add(password)
	}
	switch cfg.Driver {
	case Postgres:
		pc, err := pgx.ParseConfig(dsn)
		if err != nil {
			return nil, m.wrap(fmt.Errorf("sql: dsn: %s", redactDSN(err.Error())))
		}
		m.add(pc.Password)
		if cfg.PasswordFile != "" {
			pc.Password = password
		}
		if pc.RuntimeParams == nil {
			pc.RuntimeParams = map[string]string{}
		}
		if _, ok := pc.RuntimeParams["application_name"]; !ok {
			pc.RuntimeParams["application_name"] = "healthanchor"
		}
		if pc.ConnectTimeout == 0 {
			pc.ConnectTimeout = 15 * time.Second
		}
		return stdlib.OpenDB(*pc), nil
	case MySQL:
		mc, err := mysql.ParseDSN(dsn)
		if err != nil {
			return nil, m.wrap(fmt.Errorf("sql: dsn: %s", redactDSN(err.Error())))
		}
		m.add(mc.Passwd)
		if cfg.PasswordFile != "" {
			mc.Passwd = password
		}
		// Dates come back as text so that zero dates become rejects
		// instead of failing the read; TIMESTAMP columns come back in
		// UTC; text comes back as UTF-8 whatever the column's charset.
		mc.ParseTime = false
		if mc.Params == nil {
			mc.Params = map[string]string{}
		}
		mc.Params["time_zone"] = "'+00:00'"
		mc.Collation = "utf8mb4_general_ci"
		mc.Logger = driverLogger{log: env.logger, m: m}
		if mc.Timeout == 0 {
			mc.Timeout = 15 * time.Second
		}
		conn, err := mysql.NewConnector(mc)
		if err != nil {
			return nil, m.wrap(fmt.Errorf("sql: dsn: %w", err))
		}
		return dbsql.OpenDB(conn), nil
	default:
		u, err := sqliteURI(dsn, env.baseDir)
		if err != nil {
			return nil, err
		}
		return dbsql.Open("sqlite", u)
	}
}

// sqliteURI turns a file path (or a file: URI) into a read-only URI. A
// missing file is an error here: opening it would create an empty one.
func sqliteURI(dsn, baseDir string) (string, error) {
	if strings.HasPrefix(dsn, "file:") {
		return dsn, nil
	}
	path := dsn
	if !filepath.IsAbs(path) {
		path = filepath.Join(baseDir, path)
	}
	if _, err := os.Stat(path); err != nil {
		return "", fmt.Errorf("sql: dsn: SQLite database %s: no such file", path)
	}
	q := url.Values{}
	q.Set("mode", "ro")
	q.Add("_pragma", "busy_timeout(5000)")
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(path), RawQuery: q.Encode()}).String(), nil
}

var dsnPasswords = []*regexp.Regexp{
	regexp.MustCompile(`(://[^:/@\s]*:)([^@\s]*)(@)`),                  // scheme://user:pass@
	regexp.MustCompile(`(?i)(password\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)`), // password=...
	regexp.MustCompile(`^([^:@/\s]+:)([^@\s]*)(@)`),                    // user:pass@tcp(...)
}

// inlinePassword reports whether dsn spells out a password, rather than
// taking it from an environment variable (${VAR}) or leaving it out.
func inlinePassword(dsn string) bool {
	for i, re := range dsnPasswords {
		if i == 2 && strings.Contains(dsn, "://") {
			continue
		}
		for _, m := range re.FindAllStringSubmatch(dsn, -1) {
			if pw := strings.Trim(m[2], "'"); pw != "" && !envRefRE.MatchString(pw) {
				return true
			}
		}
	}
	return false
}

// envRefRE matches a value that is only an environment variable reference.
var envRefRE = regexp.MustCompile(`^\$\{[A-Za-z_][A-Za-z0-9_]*\}$`)

// redactDSN masks what looks like a password in a DSN or in a message
// that quotes one, for the cases where the password is not known yet.
func redactDSN(s string) string {
	s = dsnPasswords[0].ReplaceAllString(s, "${1}"+mask+"${3}")
	s = dsnPasswords[1].ReplaceAllString(s, "${1}"+mask)
	if strings.Contains(s, "://") {
		return s
	}
	return dsnPasswords[2].ReplaceAllString(s, "${1}"+mask+"${3}")
}

// driverLogger sends the MySQL driver's own messages to the job's logger,
// masked, instead of to standard error.
type driverLogger struct {
	log *slog.Logger
	m   *masker
}

// Print logs one driver message as a warning.
func (l driverLogger) Print(v ...any) {
	l.log.Warn(l.m.String(strings.TrimSpace(fmt.Sprint(v...))), "driver", MySQL)
}
