package exec

import (
	"bytes"
	"fmt"
	"io"
	"testing"
	"time"
)

// A file read while another writer still appends to it is read whole:
// the reader waits at its end until the writer is done, and takes what
// was written just before that.
func TestTailReaderReadsWhileWritten(t *testing.T) {
	w, r := spoolFiles(t, "")
	var want bytes.Buffer
	exited := make(chan struct{})
	go func() {
		defer close(exited)
		for i := range 200 {
			line := fmt.Sprintf("line %d %s\n", i, bytes.Repeat([]byte("x"), i))
			want.WriteString(line)
			w.WriteString(line)
			if i%20 == 0 {
				time.Sleep(2 * time.Millisecond)
			}
		}
	}()
	got, err := io.ReadAll(newTailReader(r, exited))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want.Bytes()) {
		t.Fatalf("read %d bytes, want the %d written", len(got), want.Len())
	}
}
