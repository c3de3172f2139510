package pipeline

import (
	"fmt"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"

	"github.com/healthanchor/healthanchor/storage"
)

// OutputConfig is the config's output key: where batch files are
// published. It is either a folder (output: batches, the same as
// output_dir) or an object store (output: {url: s3://BUCKET/PREFIX, ...},
// storage.Config; docs/storage.md).
type OutputConfig struct {
	Folder string          // set when output is a scalar
	Store  *storage.Config // set when output is a mapping
}

// UnmarshalYAML takes a folder (a string) or an object store (a mapping).
// Unknown keys of the mapping are reported by config check with their
// line (unknownKeys walks them against storage.Config).
func (o *OutputConfig) UnmarshalYAML(data []byte) error {
	var folder string
	if err := yaml.Unmarshal(data, &folder); err == nil {
		o.Folder = folder
		return nil
	}
	var s storage.Config
	if err := yaml.Unmarshal(data, &s); err != nil {
		return fmt.Errorf("output: a folder, or a mapping {url: s3://BUCKET/PREFIX, endpoint, region, access_key_env, secret_key_env, ca_file}: %w", err)
	}
	o.Store = &s
	return nil
}

// Store is the object store batches are published to, or nil when they
// are published to a folder (OutputDir).
func (c *Config) Store() *storage.Config {
	if c.Output == nil {
		return nil
	}
	return c.Output.Store
}

// validateOutput folds output into OutputDir for a folder and checks an
// object store's fields. With an object store, OutputDir (default
// batches) is still the local working folder: temporary files and locks.
func (c *Config) validateOutput(file *ast.File, add func(yamlPath, format string, args ...any)) {
	if c.Output == nil {
		return
	}
	if c.Output.Store == nil {
		if c.OutputDir != "" && c.OutputDir != c.Output.Folder {
			add("$.output", "output (%q) and output_dir (%q) name different folders: keep one", c.Output.Folder, c.OutputDir)
		}
		if c.Output.Folder == "" {
			add("$.output", "output is empty: a folder, or {url: s3://BUCKET/PREFIX, ...}")
		}
		c.OutputDir = c.Output.Folder
		return
	}
	for _, e := range c.Output.Store.Validate() {
		at := "$.output." + e.Field
		if line, _ := posOf(file, at); line == 0 {
			at = "$.output"
		}
		add(at, "%s", e.Error())
	}
}
