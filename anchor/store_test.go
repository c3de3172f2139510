package anchor

import (
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestDBFileModes checks that a store's -wal and -shm files get the mode
// its main file was created with, even under a permissive umask: SQLite
// creates them itself.
func TestDBFileModes(t *testing.T) {
	old := syscall.Umask(0)
	defer syscall.Umask(old)
	for _, perm := range []fs.FileMode{DefaultDBMode, 0o640} {
		path := filepath.Join(t.TempDir(), "s.db")
		if perm != DefaultDBMode {
			if err := CreateDBFile(path, perm); err != nil {
				t.Fatal(err)
			}
		}
		db, err := OpenDB(path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(`CREATE TABLE t (x); INSERT INTO t VALUES (1)`); err != nil {
			t.Fatal(err)
		}
		for _, p := range []string{path, path + "-wal", path + "-shm"} {
			fi, err := os.Stat(p)
			if err != nil {
				t.Fatal(err)
			}
			if got := fi.Mode().Perm(); got != perm {
				t.Errorf("%s: mode %04o, want %04o", filepath.Base(p), got, perm)
			}
		}
		db.Close()
	}
}
