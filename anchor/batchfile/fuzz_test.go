package batchfile

import (
	"bytes"
	"context"
	"math/rand"
	"os"
	"path/filepath"
	"testing"
)

// FuzzRead feeds damaged batch files, plain and with erased rows (a
// _leaf column), to the reader: it must return rows or an error, never
// panic or hang.
func FuzzRead(f *testing.F) {
	dir := f.TempDir()
	good := filepath.Join(dir, "good.parquet")
	writeBatch(f, good, samplePatients(20), 8)
	erased := filepath.Join(dir, "erased.parquet")
	if _, err := Erase(context.Background(), good, erased, []int64{0, 9, 19}, 0o600); err != nil {
		f.Fatal(err)
	}
	for _, p := range []string{good, erased, "../../testdata/vectors/leaf-vectors.parquet"} {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "x.parquet")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		sc, err := Read(context.Background(), path, nil)
		if err == nil && len(sc.Root) != 32 {
			t.Fatalf("read without error but root %x", sc.Root)
		}
	})
}

// TestReadDamagedFiles is the fuzz target's property over a fixed set of
// damaged copies of a good file (bytes replaced, inserted, deleted, and
// lengths made huge): every read returns, without a panic or a runaway
// allocation, and a damaged file never verifies as the good one.
func TestReadDamagedFiles(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.parquet")
	res := writeBatch(t, good, samplePatients(20), 8)
	data, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewSource(1))
	path := filepath.Join(dir, "damaged.parquet")
	for i := 0; i < 2000; i++ {
		m := append([]byte(nil), data...)
		switch i % 4 {
		case 0:
			for k := 0; k < 1+rng.Intn(4); k++ {
				m[rng.Intn(len(m))] = byte(rng.Intn(256))
			}
		case 1:
			p := rng.Intn(len(m))
			m = append(m[:p], append(make([]byte, 1+rng.Intn(8)), m[p:]...)...)
		case 2:
			p := rng.Intn(len(m) - 8)
			m = append(m[:p], m[p+1+rng.Intn(7):]...)
		case 3:
			p := rng.Intn(len(m) - 4)
			copy(m[p:], []byte{0x7f, 0xff, 0xff, 0xff})
		}
		if bytes.Equal(m, data) {
			continue // a byte replaced by itself: not damaged
		}
		if err := os.WriteFile(path, m, 0o644); err != nil {
			t.Fatal(err)
		}
		sc, err := Read(context.Background(), path, nil)
		if err == nil && string(sc.SHA256) == string(res.SHA256) {
			t.Fatalf("damaged copy %d has the good file's digest", i)
		}
	}
}
