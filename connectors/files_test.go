package connectors

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDropFolderWindowAndProgress takes files once, reports a changed file
// once, counts the bytes read against the window's size, and fails a read
// whose file changed after it was planned.
func TestDropFolderWindowAndProgress(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	write := func(name, content string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("a.csv", "aaaa")
	write("b.csv", "bbbbbb")
	write(".c.csv", "hidden: being written")
	p := &Progress{}
	d := DropFolder{BaseDir: dir, Pattern: "*.csv", Progress: p}
	w1, err := d.Plan(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	files, rejects, err := d.Window(nil, w1)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 2 || len(rejects) != 0 || files[0].Key != "a.csv" || files[1].Key != "b.csv" {
		t.Fatalf("first window: %+v %+v", files, rejects)
	}
	for _, f := range files {
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(io.Discard, r); err != nil {
			t.Fatal(err)
		}
		r.Close()
	}
	if done, total := p.Bytes(); done != 10 || total != 10 {
		t.Errorf("progress %d of %d bytes, want 10 of 10", done, total)
	}
	if again, _ := d.Plan(ctx, w1); string(again) != string(w1) {
		t.Errorf("planning again over unchanged files moved the watermark")
	}

	write("a.csv", "changed")
	write("d.csv", "dd")
	w2, err := d.Plan(ctx, w1)
	if err != nil {
		t.Fatal(err)
	}
	files, rejects, err = d.Window(w1, w2)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 1 || files[0].Key != "d.csv" || len(rejects) != 1 || !strings.Contains(rejects[0].Reject.Reason, "a.csv changed") {
		t.Fatalf("second window: %+v %+v", files, rejects)
	}
	if w3, _ := d.Plan(ctx, w2); string(w3) != string(w2) {
		t.Errorf("a changed file is reported more than once")
	}

	// A file changed between plan and read fails the read at EOF.
	write("d.csv", "not what was planned")
	r, err := files[0].Open()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if _, err := io.Copy(io.Discard, r); err == nil || !strings.Contains(err.Error(), "changed while it was being taken") {
		t.Errorf("reading a file changed after planning: %v", err)
	}
}
