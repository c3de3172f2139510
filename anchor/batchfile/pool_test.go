package batchfile

import (
	"path/filepath"
	"testing"

	"github.com/healthanchor/healthanchor/schemas"
)

// Writers share one buffer pool, which holds free buffers while any
// writer is open and is emptied when the last one closes or aborts.
func TestSharedPoolDrainedWhenWritersAreDone(t *testing.T) {
	dir := t.TempDir()
	open := func(name string) *Writer {
		w, err := Create(filepath.Join(dir, name), schemas.Patient, "b-"+name, []byte("0123456789abcdef"), Options{BatchRows: 1000})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range samplePatients(3000) {
			if err := w.Append(r); err != nil {
				t.Fatal(err)
			}
		}
		return w
	}
	a, b := open("a.parquet"), open("b.parquet")
	if _, err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if writerPool.Held() == 0 {
		t.Fatal("with a writer still open, the pool holds no free buffer: the test proves nothing")
	}
	b.Abort()
	if n := openWriters.Load(); n != 0 {
		t.Fatalf("%d writers counted open after all closed", n)
	}
	if held := writerPool.Held(); held != 0 {
		t.Fatalf("the pool holds %d bytes after the last writer is done", held)
	}
}
