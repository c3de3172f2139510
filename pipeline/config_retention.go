package pipeline

import "github.com/healthanchor/healthanchor/lifecycle"

// validateRetention parses job i's retention (lifecycle owns the format),
// with the line and column of its value when it does not parse.
func (c *Config) validateRetention(i int, at string, add func(yamlPath, format string, args ...any)) {
	j := &c.Jobs[i]
	if j.Retention == "" {
		return
	}
	p, err := lifecycle.ParseRetention(j.Retention)
	if err != nil {
		add(at+".retention", "job %q: %v", j.Name, err)
		return
	}
	j.retention = p
}

// RetentionPeriod is the job's retention, false when it keeps its batch
// files for ever (no retention: key).
func (j JobConfig) RetentionPeriod() (lifecycle.RetentionPeriod, bool) {
	return j.retention, j.Retention != ""
}
