package main

import (
	"os"
	"syscall"
	"time"

	"github.com/healthanchor/healthanchor/pipeline"
)

// Environment variables the tests set, undocumented for operators:
//   - HEALTHANCHOR_NOW, an RFC 3339 time, is the node's clock for the
//     times it signs (manifests, entries, blocks) and the retention it
//     applies, so that a test can backdate anchors or age batches past
//     their retention;
//   - HEALTHANCHOR_CRASH_AT names a step ("anchored", "retention-anchored",
//     ...) at which the process kills itself, as a crash there would.
const (
	clockEnv   = "HEALTHANCHOR_NOW"
	crashAtEnv = "HEALTHANCHOR_CRASH_AT"
)

// setTestClock sets n's clock from clockEnv, when set.
func setTestClock(n *pipeline.Node) error {
	s := os.Getenv(clockEnv)
	if s == "" {
		return nil
	}
	at, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return usageErr("%s=%q: want an RFC 3339 time: %v", clockEnv, s, err)
	}
	n.Now = func() time.Time { return at }
	return nil
}

// setCrashAt makes n kill its own process at the step crashAtEnv names.
func setCrashAt(n *pipeline.Node) { n.CrashAt = crashHook() }

// crashHook returns, when crashAtEnv names a step, a hook that SIGKILLs
// the process at that step (the crash tests' fault injection); nil
// otherwise.
func crashHook() func(string) {
	step := os.Getenv(crashAtEnv)
	if step == "" {
		return nil
	}
	return func(at string) {
		if at == step {
			syscall.Kill(os.Getpid(), syscall.SIGKILL)
		}
	}
}
