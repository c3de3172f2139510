package pipeline

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/goccy/go-yaml/ast"
)

// The ranges `config check` holds a job's numbers to, so that a typo
// (an extra zero, a minus sign) is a configuration error that names the
// field rather than a run that dies of it.
const (
	// MaxBatchRowsPerGroup bounds batch_rows: rows held in memory at once.
	MaxBatchRowsPerGroup = 1 << 20
	// MaxRowsPerBatch bounds max_batch_rows.
	MaxRowsPerBatch = 1 << 40
	// MinEvery and MaxEvery bound an `@every` schedule's interval.
	MinEvery = time.Second
	MaxEvery = 366 * 24 * time.Hour
)

// checkJobNumbers checks the job-level numbers and the schedule of job j
// (at is its YAML path), adding one error a field at fault.
func checkJobNumbers(j JobConfig, at string, add func(yamlPath, format string, args ...any)) {
	if j.BatchRows < 0 || j.BatchRows > MaxBatchRowsPerGroup {
		add(at+".batch_rows", "job %q: batch_rows %d is out of range (1 to %d; leave it out for the default 32768)", j.Name, j.BatchRows, MaxBatchRowsPerGroup)
	}
	if j.MaxBatchRows < 0 || j.MaxBatchRows > MaxRowsPerBatch {
		add(at+".max_batch_rows", "job %q: max_batch_rows %d is out of range (1 to %d; 0 for no limit)", j.Name, j.MaxBatchRows, int64(MaxRowsPerBatch))
	}
	switch j.ControlChars {
	case "", ControlReject, ControlStrip:
	default:
		add(at+".control_chars", "job %q: control_chars %q is not %s or %s", j.Name, j.ControlChars, ControlReject, ControlStrip)
	}
	if j.Schedule == "" {
		return
	}
	if err := checkSchedule(j.Schedule); err != nil {
		add(at+".schedule", "job %q: schedule %q: %v", j.Name, j.Schedule, err)
		return
	}
	if err := checkEvery(j.Schedule); err != nil {
		add(at+".schedule", "job %q: schedule %q: %v", j.Name, j.Schedule, err)
	}
}

// checkEvery holds an `@every D` schedule to MinEvery..MaxEvery (cron
// accepts a negative or sub-second interval and runs it every second).
func checkEvery(expr string) error {
	s := strings.TrimSpace(expr)
	if strings.HasPrefix(s, "CRON_TZ=") || strings.HasPrefix(s, "TZ=") {
		if _, rest, ok := strings.Cut(s, " "); ok {
			s = strings.TrimSpace(rest)
		}
	}
	rest, ok := strings.CutPrefix(s, "@every ")
	if !ok {
		return nil
	}
	d, err := time.ParseDuration(strings.TrimSpace(rest))
	if err != nil {
		return fmt.Errorf("@every: %w", err)
	}
	if d < MinEvery || d > MaxEvery {
		return fmt.Errorf("@every %s is out of range (%s to %s)", d, MinEvery, MaxEvery)
	}
	return nil
}

// optionField is the option a connector's error names ("sql: max_window:
// ...", "exec: mapping.sex: ...", "fhir-ndjson: mapping.Patient.sex:
// ..."), for the line of the error.
var optionField = regexp.MustCompile(`^(?:options: )?[a-z0-9-]+: ([a-z_]+(?:\.[A-Za-z0-9_]+)*):`)

// optionPath is the YAML path of the option err names under the job at
// at (or of its closest parent the file has), else of the job's options.
func optionPath(file *ast.File, at string, err error) string {
	if m := optionField.FindStringSubmatch(err.Error()); m != nil {
		name := m[1]
		for {
			if p := at + ".options." + name; lineOf(file, p) > 0 {
				return p
			}
			i := strings.LastIndexByte(name, '.')
			if i < 0 {
				break
			}
			name = name[:i]
		}
	}
	return at + ".options"
}
