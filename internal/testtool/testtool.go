// Package testtool stops a test that needs an outside tool it cannot
// find: in CI the test fails, elsewhere it is skipped with how to
// install the tool. Only tests import it.
package testtool

import (
	"os"
	"os/exec"
	"testing"
)

// Missing stops t, which needs what and cannot find it: in CI (CI set in
// the environment, as .ci/run does) t fails, elsewhere it is skipped
// with install, how to get the tool.
func Missing(t testing.TB, what, install string) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf("%s is missing: %s", what, install)
		return
	}
	t.Skipf("%s is missing (%s): test skipped outside CI", what, install)
}

// Python3 stops t through Missing unless python3 is on the PATH (the test
// taps and the MLLP client are Python scripts).
func Python3(t testing.TB) {
	t.Helper()
	if _, err := exec.LookPath("python3"); err != nil {
		Missing(t, "python3", "apt-get install -y --no-install-recommends python3")
	}
}
