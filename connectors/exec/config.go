package exec

import (
	"fmt"
	"path/filepath"
	"time"

	"github.com/healthanchor/healthanchor/connectors"
	"github.com/healthanchor/healthanchor/schemas"
)

// Defaults of the options left empty.
const (
	DefaultSource       = "exec"
	DefaultSchema       = "patient/1"
	DefaultSpoolDir     = "spool"
	DefaultTimeout      = time.Hour
	DefaultMaxLineBytes = 16 << 20
)

// Config is the exec connector's options (docs/exec.md). Validate applies
// the defaults and names the first bad field.
type Config struct {
	// Command is the tap program and its arguments; relative paths are
	// taken from the job's base folder. The pipeline appends
	// --config FILE and, after a first committed run, --state FILE.
	Command []string `yaml:"command"`
	// Stream is the Singer stream whose RECORD messages become rows;
	// other streams are spooled but not read.
	Stream string `yaml:"stream"`
	// Schema is the canonical schema id the rows are in ("patient/1").
	Schema string `yaml:"schema"`
	// Source names the source system in every row's source column.
	Source string `yaml:"source"`
	// Mapping maps a canonical column to a record property or a mapping
	// expression (docs/connectors.md); unmapped columns are read from
	// the property of their own name. A dotted name reads a nested property.
	Mapping map[string]string `yaml:"mapping"`
	// Codes are the code tables mapping expressions look codes up in
	// (docs/connectors.md, "Code tables").
	Codes connectors.CodeTables `yaml:"codes"`
	// CodeTables is the older name of Codes, still read; giving both is
	// an error.
	CodeTables connectors.CodeTables `yaml:"code_tables"`
	// TapConfig is written as the tap's --config JSON file. ${NAME} in a
	// string value is replaced by the environment variable NAME when the
	// tap runs, so that secrets stay out of the config.
	TapConfig map[string]any `yaml:"tap_config"`
	// SpoolDir is where the tap's output is kept until its window is
	// committed, relative to the job's base folder.
	SpoolDir string `yaml:"spool_dir"`
	// Timeout bounds one run of the tap (a Go duration such as 30m).
	Timeout string `yaml:"timeout"`
	// MaxLineBytes bounds one line of the tap's output.
	MaxLineBytes int `yaml:"max_line_bytes"`
	// DateFormats are the Go layouts tried, in order, for date columns.
	DateFormats []string `yaml:"date_formats"`
	// TimeFormats are the Go layouts tried, in order, for timestamps.
	TimeFormats []string `yaml:"time_formats"`
	// Timezone is the IANA zone of timestamps written without an offset;
	// empty means the job's zone, else UTC.
	Timezone string `yaml:"timezone"`

	schema  *schemas.Schema
	mapping *connectors.Mapping
	codes   connectors.CodeTables // Codes or CodeTables
	timeout time.Duration
	loc     *time.Location
}

// Validate applies the defaults and checks every option, naming the field
// at fault.
func (c *Config) Validate() error {
	if len(c.Command) == 0 || c.Command[0] == "" {
		return fmt.Errorf("exec: command: required (the tap and its arguments, such as [python3, taps/tap_registry.py])")
	}
	if c.Stream == "" {
		return fmt.Errorf("exec: stream: required (the Singer stream to read, such as patients)")
	}
	if c.Source == "" {
		c.Source = DefaultSource
	}
	if c.Schema == "" {
		c.Schema = DefaultSchema
	}
	var err error
	if c.schema, err = schemas.Lookup(c.Schema); err != nil {
		return fmt.Errorf("exec: schema: %w", err)
	}
	if c.codes, err = connectors.JobCodes(c.Codes, c.CodeTables); err != nil {
		return fmt.Errorf("exec: %w", err)
	}
	if c.mapping, err = connectors.CompileMapping(c.schema, c.Mapping, c.codes); err != nil {
		return fmt.Errorf("exec: %w", err)
	}
	if c.SpoolDir == "" {
		c.SpoolDir = DefaultSpoolDir
	}
	c.SpoolDir = filepath.Clean(c.SpoolDir)
	c.timeout = DefaultTimeout
	if c.Timeout != "" {
		if c.timeout, err = time.ParseDuration(c.Timeout); err != nil || c.timeout <= 0 || c.timeout > 48*time.Hour {
			return fmt.Errorf("exec: timeout: %q is not a duration from 1ns to 48h (such as 30m or 2h)", c.Timeout)
		}
	}
	if c.MaxLineBytes == 0 {
		c.MaxLineBytes = DefaultMaxLineBytes
	}
	if c.MaxLineBytes < 1024 || c.MaxLineBytes > 1<<30 {
		return fmt.Errorf("exec: max_line_bytes: %d is out of range: 1024 to 1073741824", c.MaxLineBytes)
	}
	if c.loc, err = connectors.LoadZone(c.Timezone); err != nil {
		return fmt.Errorf("exec: %w", err)
	}
	if len(c.DateFormats) == 0 {
		c.DateFormats = connectors.DefaultDateLayouts
	}
	if len(c.TimeFormats) == 0 {
		c.TimeFormats = connectors.DefaultTimeLayouts
	}
	return nil
}
