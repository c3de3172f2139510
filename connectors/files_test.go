package connectors

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// fileWriter returns a function writing files with the given content into dir.
func fileWriter(t *testing.T, dir string) func(name, content string) {
	return func(name, content string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestDropFolderWindowAndProgress takes files once, reports a changed file
// once, counts the bytes read against the window's size, and fails a read
// whose file changed after it was planned.
func TestDropFolderWindowAndProgress(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	write := fileWriter(t, dir)
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

// TestDigestCache checks when reading a planned file skips hashing it
// again: only when Plan hashed it in this process, long enough after its
// last change, and its stamp has not moved since; a change made between
// plan and read, or during the read, is still reported even when the
// writer puts the modification time back.
func TestDigestCache(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "a.csv")
	write := func(content string) {
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// rewrite changes the content in place, same size, and puts the
	// modification time back: only the change time tells.
	rewrite := func(content string) {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(20 * time.Millisecond) // past the file system's time tick
		write(content)
		if err := os.Chtimes(path, fi.ModTime(), fi.ModTime()); err != nil {
			t.Fatal(err)
		}
	}
	plan := func(d DropFolder) WindowFile {
		t.Helper()
		w, err := d.Plan(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		files, _, err := d.Window(nil, w)
		if err != nil || len(files) != 1 {
			t.Fatalf("window: %v %v", files, err)
		}
		return files[0]
	}
	readAll := func(f WindowFile) (hashed bool, err error) {
		t.Helper()
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		_, err = io.Copy(io.Discard, r)
		return r.h != nil, err
	}

	write("aaaa")
	d := DropFolder{BaseDir: dir, Pattern: "*.csv", Digests: NewDigestCache()}
	if hashed, err := readAll(plan(d)); err != nil || !hashed {
		t.Errorf("a file changed just before planning: hashed %v, err %v; want hashed again, no error", hashed, err)
	}

	old := racyWindow
	racyWindow = 0
	defer func() { racyWindow = old }()
	if hashed, err := readAll(plan(d)); err != nil || hashed {
		t.Errorf("an unchanged planned file: hashed %v, err %v; want not hashed again, no error", hashed, err)
	}
	if hashed, err := readAll(plan(DropFolder{BaseDir: dir, Pattern: "*.csv"})); err != nil || !hashed {
		t.Errorf("without a cache: hashed %v, err %v; want hashed, no error", hashed, err)
	}

	f := plan(d)
	rewrite("bbbb")
	if hashed, err := readAll(f); !hashed || err == nil || !strings.Contains(err.Error(), "changed while it was being taken") {
		t.Errorf("a file rewritten after planning: hashed %v, err %v; want hashed and reported", hashed, err)
	}

	f = plan(d)
	r, err := f.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if r.h != nil {
		t.Fatal("an unchanged planned file is hashed again")
	}
	rewrite("cccc")
	if _, err := io.Copy(io.Discard, r); err == nil || !strings.Contains(err.Error(), "changed while it was being taken") {
		t.Errorf("a file rewritten while read: %v; want reported", err)
	}
}

// TestDigestsKeptBetweenRuns plans a drop folder in one "run", keeps the
// cache's entries as the state DB does, and plans again in a new one: files
// whose stamp has not moved are not hashed again, a file rewritten in place
// (same size, modification time put back) is, and is reported changed, and
// a file gone from the folder leaves the cache.
func TestDigestsKeptBetweenRuns(t *testing.T) {
	old := racyWindow
	racyWindow = 0
	defer func() { racyWindow = old }()
	hashed := 0
	defer func(f func(string) (string, error)) { hashFile = f }(hashFile)
	hashFileBefore := hashFile
	hashFile = func(p string) (string, error) { hashed++; return hashFileBefore(p) }

	ctx := context.Background()
	dir := t.TempDir()
	write := fileWriter(t, dir)
	write("a.csv", "aaaa")
	write("b.csv", "bbbb")
	write("c.csv", "cccc")
	run := func(kept map[string]string, from Watermark) (Watermark, map[string]string) {
		t.Helper()
		d := DropFolder{BaseDir: dir, Pattern: "*.csv", Digests: LoadDigestCache(kept)}
		w, err := d.Plan(ctx, from)
		if err != nil {
			t.Fatal(err)
		}
		return w, d.Digests.Entries()
	}

	w1, kept := run(nil, nil)
	if hashed != 3 || len(kept) != 3 {
		t.Fatalf("first run hashed %d files and kept %d digests, want 3 and 3", hashed, len(kept))
	}
	hashed = 0
	w2, kept := run(kept, w1)
	if hashed != 0 || string(w2) != string(w1) {
		t.Fatalf("second run over unchanged files hashed %d, watermark moved: %v", hashed, string(w2) != string(w1))
	}

	fi, err := os.Stat(filepath.Join(dir, "b.csv"))
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(20 * time.Millisecond)
	write("b.csv", "BBBB")
	if err := os.Chtimes(filepath.Join(dir, "b.csv"), fi.ModTime(), fi.ModTime()); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, "c.csv")); err != nil {
		t.Fatal(err)
	}
	hashed = 0
	w3, kept := run(kept, w2)
	if hashed != 1 {
		t.Errorf("third run hashed %d files, want 1 (the rewritten one)", hashed)
	}
	wm, err := ParseFileWatermark(w3)
	if err != nil {
		t.Fatal(err)
	}
	if _, changed := wm.Changed["b.csv"]; !changed {
		t.Errorf("a file rewritten in place with its time put back is not reported changed: %s", w3)
	}
	if _, still := kept[filepath.Join(dir, "c.csv")]; still || len(kept) != 2 {
		t.Errorf("digests kept after c.csv went: %v", kept)
	}

	// Entries that cannot be read cost a hash, nothing else.
	if c := LoadDigestCache(map[string]string{filepath.Join(dir, "a.csv"): "garbage"}); len(c.Entries()) != 0 {
		t.Errorf("a damaged entry was loaded: %v", c.Entries())
	}
}
