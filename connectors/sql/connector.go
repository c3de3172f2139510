package sql

import (
	"log/slog"
	"os"

	"github.com/healthanchor/healthanchor/connectors"
	"github.com/healthanchor/healthanchor/schemas"
)

func init() {
	connectors.Register(connectors.Typed("sql", "a PostgreSQL, MySQL/MariaDB or SQLite table or read-only query, read incrementally by a watermark column",
		func(cfg Config, env connectors.Env) (connectors.Connector, error) { return New(cfg, env) }))
}

var _ connectors.Connector = (*Connector)(nil)

// Connector reads one table or query. It holds no connection between
// calls: Plan and Read each connect, read inside one snapshot, and close.
// It is safe for use by one run at a time.
type Connector struct {
	cfg    Config
	env    connectors.Env
	lookup LookupEnv
}

// New returns a connector for cfg, validating it first. Nothing connects
// until Plan.
func New(cfg Config, env connectors.Env) (*Connector, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Connector{cfg: cfg, env: env, lookup: os.LookupEnv}, nil
}

// Source names the source system in every row's source column.
func (c *Connector) Source() string { return c.cfg.Source }

// Schemas is the one schema the connector's rows are in.
func (c *Connector) Schemas() []*schemas.Schema { return []*schemas.Schema{c.cfg.schema} }

// connEnv is what opening the database needs from the environment.
type connEnv struct {
	lookup  LookupEnv
	baseDir string
	logger  *slog.Logger
}

func (c *Connector) connEnv() connEnv {
	log := c.env.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return connEnv{lookup: c.lookup, baseDir: c.env.BaseDir, logger: log}
}
