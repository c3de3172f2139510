// Package cputime reads the processor time this process has used, for
// benchmarks that report it beside elapsed time: on a shared machine a
// run mostly waiting for a core takes longer but not more CPU.
package cputime
