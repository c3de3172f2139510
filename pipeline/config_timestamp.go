package pipeline

import (
	"fmt"
	"regexp"
)

var tsaIndexRe = regexp.MustCompile(`^timestamp\.tsa\[(\d+)\]`)

// validateTimestamp checks the timestamp: section (lifecycle owns it),
// with the line of the TSA at fault when the error names one.
func (c *Config) validateTimestamp(add func(yamlPath, format string, args ...any)) {
	if c.Timestamp == nil {
		return
	}
	err := c.Timestamp.Validate()
	if err == nil {
		return
	}
	at := "$.timestamp"
	if m := tsaIndexRe.FindStringSubmatch(err.Error()); m != nil {
		at = fmt.Sprintf("$.timestamp.tsa[%s]", m[1])
	}
	add(at, "%v", err)
}
