package deploy

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/healthanchor/healthanchor/anchor"
)

// walOnlyDB returns a database holding n rows that are still only in
// its write-ahead log (automatic checkpoints off), with the writer open.
func walOnlyDB(t *testing.T, n int) (string, *sql.DB) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "live.db")
	db, err := anchor.OpenDB(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.SetMaxOpenConns(1)
	for _, q := range []string{`PRAGMA wal_autocheckpoint=0`, `CREATE TABLE t (v INTEGER)`} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	for i := range n {
		if _, err := db.Exec(`INSERT INTO t VALUES (?)`, i); err != nil {
			t.Fatal(err)
		}
	}
	if st, err := os.Stat(path + "-wal"); err != nil || st.Size() == 0 {
		t.Fatalf("no write-ahead log content: %v", err)
	}
	return path, db
}

func rows(t *testing.T, path string) int {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM t`).Scan(&n); err != nil {
		return -1
	}
	return n
}

// TestVacuumIntoTakesTheWAL checks that a backup of a live database holds
// the transactions still in its write-ahead log, which a copy of the
// main file alone misses.
func TestVacuumIntoTakesTheWAL(t *testing.T) {
	src, _ := walOnlyDB(t, 100)
	dir := t.TempDir()
	plain := filepath.Join(dir, "plain.db")
	if err := copyFile(src, plain); err != nil {
		t.Fatal(err)
	}
	if got := rows(t, plain); got == 100 {
		t.Fatalf("a plain copy of the main file already holds the rows: the test cannot tell")
	}
	dst := filepath.Join(dir, "backup.db")
	if err := vacuumInto(context.Background(), src, dst); err != nil {
		t.Fatal(err)
	}
	if got := rows(t, dst); got != 100 {
		t.Fatalf("backup holds %d rows, want 100", got)
	}
	if st, _ := os.Stat(dst); st.Mode().Perm() != 0o600 {
		t.Fatalf("backup mode %v, want 0600", st.Mode().Perm())
	}
}

// TestReadBackupDamaged checks that restore refuses a backup whose file
// differs from its manifest.
func TestReadBackupDamaged(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "state.db"), []byte("state"), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := describe(dir, "state.db")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		file BackupFile
		ok   bool
	}{
		{"intact", f, true},
		{"other digest", BackupFile{Path: f.Path, Size: f.Size, SHA256: anchor.ZeroHash}, false},
		{"other size", BackupFile{Path: f.Path, Size: f.Size + 1, SHA256: f.SHA256}, false},
		{"missing", BackupFile{Path: "chain.db", Size: 1, SHA256: f.SHA256}, false},
		{"outside", BackupFile{Path: "../state.db", Size: f.Size, SHA256: f.SHA256}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			os.Remove(filepath.Join(dir, BackupManifestFile))
			m := `{"v":1,"files":[{"path":"` + tc.file.Path + `","size":` + itoa(tc.file.Size) + `,"sha256":"` + tc.file.SHA256 + `"}]}`
			if err := os.WriteFile(filepath.Join(dir, BackupManifestFile), []byte(m), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := ReadBackup(dir)
			if tc.ok != (err == nil) || (!tc.ok && !errors.Is(err, ErrBackupDamaged)) {
				t.Fatalf("ReadBackup: %v, want ok=%v or ErrBackupDamaged", err, tc.ok)
			}
		})
	}
}

func itoa(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}
