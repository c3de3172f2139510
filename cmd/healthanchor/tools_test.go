package main

import (
	"os"
	"testing"
)

// missingTool stops a test that needs an outside tool it cannot find: in
// CI (CI set, as .ci/run does) the test fails, elsewhere it is skipped
// with how to install the tool.
func missingTool(t *testing.T, what, install string) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf("%s is missing: %s", what, install)
	}
	t.Skipf("%s is missing (%s): test skipped outside CI", what, install)
}
