package fsutil

import (
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestModesIgnoreUmask creates folders and files under a umask that would
// open them to everyone (0) and one that would close them (0077): the
// modes asked for are the modes got.
func TestModesIgnoreUmask(t *testing.T) {
	for _, umask := range []int{0, 0o077} {
		old := syscall.Umask(umask)
		dir := t.TempDir()
		nested := filepath.Join(dir, "a", "b")
		if err := MkdirAll(nested, 0o750); err != nil {
			t.Fatal(err)
		}
		f, err := CreateFile(filepath.Join(nested, "f"), 0o640)
		if err != nil {
			t.Fatal(err)
		}
		f.Close()
		if err := WriteFile(filepath.Join(nested, "g"), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
		syscall.Umask(old)
		for path, want := range map[string]fs.FileMode{
			filepath.Join(dir, "a"): 0o750, nested: 0o750,
			filepath.Join(nested, "f"): 0o640, filepath.Join(nested, "g"): 0o600,
		} {
			fi, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if got := fi.Mode().Perm(); got != want {
				t.Errorf("umask %04o: %s has mode %04o, want %04o", umask, path, got, want)
			}
		}
	}
}
