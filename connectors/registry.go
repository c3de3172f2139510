package connectors

import (
	"fmt"
	"log/slog"
	"sort"
	"sync"
)

// Spec is one registered connector kind.
type Spec struct {
	Name string // e.g. "csv"
	Doc  string // one line for `--help` and docs
	// Config returns a fresh zero config of the connector's typed option
	// struct (yaml tags, defaults applied by its Validate). Used by docs
	// and `config check`.
	Config func() any
	// New builds a connector from options already decoded by Decode.
	New func(opts Options, env Env) (Connector, error)
}

// Options are a connector's raw options, as read from the job config or
// from `preview --set key=value`. Decode turns them into the typed config.
type Options map[string]any

var (
	mu       sync.RWMutex
	registry = map[string]Spec{}
)

// Register makes a connector kind available by name. It panics on a
// duplicate name, like database/sql.Register.
func Register(s Spec) {
	mu.Lock()
	defer mu.Unlock()
	if _, dup := registry[s.Name]; dup {
		panic("connectors: Register called twice for " + s.Name)
	}
	registry[s.Name] = s
}

// Lookup returns the spec registered under name.
func Lookup(name string) (Spec, error) {
	mu.RLock()
	defer mu.RUnlock()
	s, ok := registry[name]
	if !ok {
		return Spec{}, fmt.Errorf("connectors: unknown connector %q (known: %v)", name, namesLocked())
	}
	return s, nil
}

// Open builds the connector registered under name with the given options.
func Open(name string, opts Options, env Env) (Connector, error) {
	s, err := Lookup(name)
	if err != nil {
		return nil, err
	}
	if env.Logger == nil {
		env.Logger = slog.New(slog.DiscardHandler)
	}
	env.Logger = env.Logger.With("connector", name)
	c, err := s.New(opts, env)
	if err != nil {
		return nil, fmt.Errorf("connectors: %s: %w", name, err)
	}
	return c, nil
}

// Names lists the registered connector names in order.
func Names() []string {
	mu.RLock()
	defer mu.RUnlock()
	return namesLocked()
}

func namesLocked() []string {
	names := make([]string, 0, len(registry))
	for n := range registry {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Typed builds the Spec of a connector whose options decode into a config
// struct C (with yaml tags and, usually, a Validate method): the common
// case, so that a connector's registration is one call.
func Typed[C any](name, doc string, build func(cfg C, env Env) (Connector, error)) Spec {
	return Spec{
		Name:   name,
		Doc:    doc,
		Config: func() any { return new(C) },
		New: func(opts Options, env Env) (Connector, error) {
			var cfg C
			if err := Decode(opts, &cfg); err != nil {
				return nil, err
			}
			return build(cfg, env)
		},
	}
}
