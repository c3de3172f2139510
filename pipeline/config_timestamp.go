package pipeline

import (
	"regexp"

	"github.com/goccy/go-yaml/ast"
)

// timestampKeyRe finds the key a lifecycle.TimestampConfig error names
// ("timestamp.tsa[1].url ..."), and the TSA entry holding it.
var timestampKeyRe = regexp.MustCompile(`^((timestamp\.tsa\[\d+\])(\.[a-z_]+)?|timestamp\.[a-z_]+)`)

// validateTimestamp checks the timestamp: section (lifecycle owns it),
// with the line of the key at fault, else of its TSA entry, else of the
// section.
func (c *Config) validateTimestamp(file *ast.File, add func(yamlPath, format string, args ...any)) {
	if c.Timestamp == nil {
		return
	}
	err := c.Timestamp.Validate()
	if err == nil {
		return
	}
	at := "$.timestamp"
	if m := timestampKeyRe.FindStringSubmatch(err.Error()); m != nil {
		for _, p := range []string{m[1], m[2]} {
			if p != "" && lineOf(file, "$."+p) > 0 {
				at = "$." + p
				break
			}
		}
	}
	add(at, "%v", err)
}
