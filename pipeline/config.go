// Package pipeline runs jobs: it loads the config, plans each source's
// window, streams its records into batch files, anchors their manifests
// on the chain, publishes the files and moves the watermark in the state
// DB, so that every source record is anchored exactly once even across
// crashes. It is the only package that wires connectors to anchor.
package pipeline

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"

	"github.com/healthanchor/healthanchor/anchor/replication"
	"github.com/healthanchor/healthanchor/audit"
	"github.com/healthanchor/healthanchor/connectors"
	"github.com/healthanchor/healthanchor/exchange"
	"github.com/healthanchor/healthanchor/lifecycle"
)

// DefaultConfigPath is where commands look for the config without --config.
const DefaultConfigPath = "healthanchor.yaml"

// Config is a healthanchor.yaml (docs/config.md documents every key).
// Relative paths are taken from the config file's folder.
type Config struct {
	Agency    AgencyConfig `yaml:"agency"`
	Chain     ChainConfig  `yaml:"chain"`
	State     string       `yaml:"state"`      // state DB path
	OutputDir string       `yaml:"output_dir"` // where batch files are published
	Timezone  string       `yaml:"timezone"`   // zone of naive source times; default UTC
	Listen    string       `yaml:"listen"`     // serve's HTTP address; default 127.0.0.1:9464
	FileMode  Mode         `yaml:"file_mode"`  // of files holding patient data; default 0600
	DirMode   Mode         `yaml:"dir_mode"`   // of their folders; default 0700
	Jobs      []JobConfig  `yaml:"jobs"`
	// Cluster, when present, makes the chain replicated among partner
	// agencies (docs/replication.md); without it the node proposes blocks
	// on its own chain store.
	Cluster *replication.Config `yaml:"cluster"`
	// UI, when present, makes serve run the read-only web explorer
	// (docs/audit.md); `ui: {}` listens on 127.0.0.1:8787.
	UI *audit.UIConfig `yaml:"ui"`
	// Timestamp, when present, makes serve ask RFC 3161 timestamp
	// authorities to stamp the chain (docs/lifecycle.md).
	Timestamp *lifecycle.TimestampConfig `yaml:"timestamp"`
	// Sharing, when present, grants other members records to fetch
	// (docs/exchange.md); without it nothing is served.
	Sharing *exchange.Sharing `yaml:"sharing"`
	// Output, when present, is where batch files are published: a folder
	// (as output_dir) or an object store (docs/storage.md).
	Output *OutputConfig `yaml:"output"`

	dir      string
	loc      *time.Location
	warnings []ConfigError
}

// AgencyConfig names the producing agency and its secrets.
type AgencyConfig struct {
	ID          string `yaml:"id"`
	Name        string `yaml:"name"`
	KeyFile     string `yaml:"key_file"`      // Ed25519 signing key, mode 0600
	SaltKeyFile string `yaml:"salt_key_file"` // row salt secret, mode 0600
}

// ChainConfig locates the chain store.
type ChainConfig struct {
	Path    string `yaml:"path"`    // SQLite chain store
	Genesis string `yaml:"genesis"` // genesis block JSON, used to create the store
}

// JobConfig is one extraction job.
type JobConfig struct {
	Name      string `yaml:"name"`
	Connector string `yaml:"connector"`
	Schedule  string `yaml:"schedule"`   // cron expression, optional CRON_TZ=
	BatchRows int    `yaml:"batch_rows"` // rows per Arrow batch and row group
	// MaxBatchRows splits a window into several batches of at most this
	// many rows each (0: one batch per schema and window).
	MaxBatchRows int    `yaml:"max_batch_rows"`
	ControlChars string `yaml:"control_chars"` // reject (default) or strip: see controlchars.go
	// Retention, when set, is how long the job's batch files are kept
	// after anchoring ("10y", "400d"); see RetentionPeriod.
	Retention string             `yaml:"retention"`
	Options   connectors.Options `yaml:"options"`

	retention lifecycle.RetentionPeriod
}

// ConfigError is a problem in a config file, with where it is and a fix.
type ConfigError struct {
	File   string
	Line   int
	Column int // 0 when unknown
	Msg    string
}

// Error is FILE:LINE:COLUMN: message, FILE:LINE: message when the column
// is unknown, FILE: message when the line is too.
func (e ConfigError) Error() string {
	if e.Line > 0 && e.Column > 0 {
		return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Column, e.Msg)
	}
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Msg)
}

// ConfigErrors is every problem found in one config file.
type ConfigErrors []ConfigError

// Error is one ConfigError a line.
func (es ConfigErrors) Error() string {
	msgs := make([]string, len(es))
	for i, e := range es {
		msgs[i] = e.Error()
	}
	return strings.Join(msgs, "\n")
}

// LoadConfig reads, decodes and validates a config file. Unknown keys are
// errors. The error, when not nil, is a ConfigErrors listing every
// problem with its line.
func LoadConfig(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, ConfigErrors{{File: path, Msg: fmt.Sprintf("cannot read config: %v (create one with `healthanchor demo`, or pass --config)", err)}}
	}
	file, err := parser.ParseBytes(data, 0)
	if err != nil {
		return nil, ConfigErrors{yamlError(path, err)} // not YAML: nothing more to say
	}
	// Every unknown key is reported, not only the first, each with its
	// line and column; then what decodes is validated in full.
	errs := unknownKeyErrors(path, file)
	var cfg Config
	if err := yaml.UnmarshalWithOptions(data, &cfg); err != nil {
		return nil, append(errs, yamlError(path, err))
	}
	dropUnknownOptions(&cfg, file)
	abs, err := filepath.Abs(filepath.Dir(path))
	if err != nil {
		return nil, err
	}
	cfg.dir = abs
	errs = append(errs, cfg.validate(path, file)...)
	if len(errs) > 0 {
		sort.SliceStable(errs, func(a, b int) bool { return errs[a].Line < errs[b].Line })
		return nil, errs
	}
	return &cfg, nil
}

var lineRe = regexp.MustCompile(`^\[(\d+):(\d+)\]\s*(.*)`)

func yamlError(path string, err error) ConfigError {
	msg := yaml.FormatError(err, false, false)
	first, _, _ := strings.Cut(msg, "\n")
	if m := lineRe.FindStringSubmatch(first); m != nil {
		var line int
		fmt.Sscan(m[1], &line)
		return ConfigError{File: path, Line: line, Msg: m[3] + hintFor(m[3])}
	}
	return ConfigError{File: path, Msg: first}
}

func hintFor(msg string) string {
	if strings.Contains(msg, "unknown field") {
		return " (check the spelling against docs/config.md)"
	}
	return ""
}

var jobNameRe = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)

func (c *Config) validate(path string, file *ast.File) ConfigErrors {
	var errs ConfigErrors
	add := func(yamlPath, format string, args ...any) {
		line, col := posOf(file, yamlPath)
		errs = append(errs, ConfigError{File: path, Line: line, Column: col, Msg: fmt.Sprintf(format, args...)})
	}
	if c.Agency.ID == "" {
		add("$.agency", "agency.id is missing: set the id your agency has in the chain's genesis")
	}
	if c.Agency.KeyFile == "" {
		add("$.agency", "agency.key_file is missing: the path of the agency's Ed25519 signing key")
	}
	if c.Agency.SaltKeyFile == "" {
		add("$.agency", "agency.salt_key_file is missing: the path of the agency's salt key")
	}
	if c.Chain.Path == "" {
		add("$.chain", "chain.path is missing: where the SQLite chain store lives, e.g. chain.db")
	}
	if c.State == "" {
		c.State = "state.db"
	}
	c.validateOutput(file, add)
	if c.OutputDir == "" {
		c.OutputDir = "batches"
	}
	if c.Listen == "" {
		c.Listen = "127.0.0.1:9464"
	}
	c.validateModes(add)
	c.loc = time.UTC
	if c.Timezone != "" {
		loc, err := time.LoadLocation(c.Timezone)
		if err != nil {
			add("$.timezone", "timezone %q is not a known IANA zone (e.g. Europe/Paris, UTC)", c.Timezone)
		} else {
			c.loc = loc
		}
	}
	if c.Cluster != nil {
		if err := c.Cluster.Validate(); err != nil {
			add("$.cluster", "%v", err)
		}
	}
	if c.UI != nil {
		if err := c.UI.Validate(); err != nil {
			add("$.ui", "%v", err)
		}
	}
	c.validateTimestamp(file, add)
	c.validateSharing(add)
	seen := map[string]bool{}
	for i, j := range c.Jobs {
		at := fmt.Sprintf("$.jobs[%d]", i)
		switch {
		case j.Name == "":
			add(at, "job %d has no name", i+1)
		case !jobNameRe.MatchString(j.Name):
			add(at+".name", "job name %q: use lower-case letters, digits, '-' and '_'", j.Name)
		case seen[j.Name]:
			add(at+".name", "job name %q is used twice", j.Name)
		}
		seen[j.Name] = true
		checkJobNumbers(j, at, add)
		c.validateRetention(i, at, add)
		spec, err := connectors.Lookup(j.Connector)
		if err != nil {
			add(at+".connector", "job %q: connector %q is unknown; known: %s", j.Name, j.Connector, strings.Join(connectors.Names(), ", "))
			continue
		}
		if spec.Config != nil {
			opts := spec.Config()
			if err := connectors.Decode(j.Options, opts); err != nil {
				add(optionPath(file, at, err), "job %q: %v", j.Name, err)
			} else if w, ok := opts.(connectors.Warner); ok {
				for _, msg := range w.Warnings() {
					c.warnings = append(c.warnings, ConfigError{File: path, Line: lineOf(file, at+".options"), Msg: fmt.Sprintf("job %q: warning: %s", j.Name, msg)})
				}
			}
		}
	}
	return errs
}

func lineOf(file *ast.File, yamlPath string) int {
	line, _ := posOf(file, yamlPath)
	return line
}

// posOf is the line and column where the node at yamlPath starts in
// file; 0, 0 when it is not there.
func posOf(file *ast.File, yamlPath string) (line, col int) {
	if file == nil {
		return 0, 0
	}
	p, err := yaml.PathString(yamlPath)
	if err != nil {
		return 0, 0
	}
	node, err := p.FilterFile(file)
	if err != nil || node == nil {
		return 0, 0
	}
	pos := node.GetToken().Position
	return pos.Line, pos.Column
}

// Dir is the folder relative paths are taken from.
func (c *Config) Dir() string { return c.dir }

// Path resolves a path from the config against its folder.
func (c *Config) Path(p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(c.dir, p)
}

// Warnings are what is valid but probably wrong in the config (a job's
// date formats mixing day-first and month-first), each with its line.
func (c *Config) Warnings() []ConfigError { return c.warnings }

// Location is the configured time zone.
func (c *Config) Location() *time.Location { return c.loc }

// Job returns the named job's config.
func (c *Config) Job(name string) (JobConfig, error) {
	for _, j := range c.Jobs {
		if j.Name == name {
			return j, nil
		}
	}
	names := make([]string, len(c.Jobs))
	for i, j := range c.Jobs {
		names[i] = j.Name
	}
	return JobConfig{}, fmt.Errorf("no job named %q in the config (jobs: %s)", name, strings.Join(names, ", "))
}

// ErrNoJobs is returned by a run when the config declares no job.
var ErrNoJobs = errors.New("the config declares no jobs")
