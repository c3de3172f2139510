// Package cputime reads the processor time this process has used, for
// benchmarks that report it beside elapsed time: on a shared machine a
// run mostly waiting for a core takes longer but not more CPU.
package cputime

import "time"

// Must is Process for a benchmark that cannot go on without it: it
// panics where the time cannot be read.
func Must() time.Duration {
	d, ok := Process()
	if !ok {
		panic("cputime: the process's CPU time cannot be read on this system")
	}
	return d
}
