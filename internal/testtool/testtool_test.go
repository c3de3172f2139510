package testtool

import (
	"os/exec"
	"testing"
)

// fakeT records how Missing stopped it.
type fakeT struct {
	testing.TB
	failed, skipped bool
}

func (f *fakeT) Helper()                        {}
func (f *fakeT) Fatalf(string, ...any)          { f.failed = true }
func (f *fakeT) Skipf(string, ...any)           { f.skipped = true }
func (f *fakeT) Logf(format string, a ...any)   {}
func (f *fakeT) Errorf(format string, a ...any) { f.failed = true }

func TestMissingFailsInCIAndSkipsElsewhere(t *testing.T) {
	t.Setenv("CI", "1")
	ci := &fakeT{}
	Missing(ci, "tool", "install it")
	if !ci.failed || ci.skipped {
		t.Errorf("in CI: failed %v, skipped %v; want a failure", ci.failed, ci.skipped)
	}
	t.Setenv("CI", "")
	dev := &fakeT{}
	Missing(dev, "tool", "install it")
	if dev.failed || !dev.skipped {
		t.Errorf("outside CI: failed %v, skipped %v; want a skip", dev.failed, dev.skipped)
	}
}

func TestPython3FoundOrStopped(t *testing.T) {
	t.Setenv("CI", "1")
	f := &fakeT{}
	Python3(f)
	_, err := exec.LookPath("python3")
	if f.failed != (err != nil) {
		t.Errorf("python3 on the PATH: %v; Python3 failed the test: %v", err == nil, f.failed)
	}
}
