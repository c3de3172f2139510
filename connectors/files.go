package connectors

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/healthanchor/healthanchor/internal/fsutil"
)

// FileWatermark is the watermark of file-drop connectors (csv, hl7): every
// file taken so far with the SHA-256 it had, and files seen changed after
// they were taken (reported once, then remembered here).
type FileWatermark struct {
	Files   map[string]string `json:"files"`
	Changed map[string]string `json:"changed,omitempty"`
}

// DropFolder lists the files of a drop folder (a path or a glob, relative
// to BaseDir unless absolute) so that each file is taken exactly once.
type DropFolder struct {
	BaseDir  string
	Pattern  string
	Progress *Progress    // told the window's size and the bytes read; may be nil
	Digests  *DigestCache // digests known with the files' stamps, used and filled; may be nil
}

// ParseFileWatermark decodes a file watermark; nil gives an empty one.
func ParseFileWatermark(w Watermark) (FileWatermark, error) {
	wm := FileWatermark{Files: map[string]string{}, Changed: map[string]string{}}
	if len(w) == 0 {
		return wm, nil
	}
	if err := json.Unmarshal(w, &wm); err != nil {
		return wm, fmt.Errorf("file watermark: %w", err)
	}
	if wm.Files == nil {
		wm.Files = map[string]string{}
	}
	if wm.Changed == nil {
		wm.Changed = map[string]string{}
	}
	return wm, nil
}

// Encode returns the watermark's JSON (keys sorted, so equal sets encode equally).
func (wm FileWatermark) Encode() Watermark {
	if len(wm.Changed) == 0 {
		wm.Changed = nil
	}
	b, err := json.Marshal(wm)
	if err != nil {
		panic(err) // maps of strings always marshal
	}
	return b
}

// Plan lists the files present now: files not in from are added with
// their digests; a file taken before whose content now differs is added
// to Changed (it will be reported, not re-read).
func (d DropFolder) Plan(ctx context.Context, from Watermark) (Watermark, error) {
	wm, err := ParseFileWatermark(from)
	if err != nil {
		return nil, err
	}
	files, err := d.list()
	if err != nil {
		return nil, err
	}
	present := make(map[string]bool, len(files))
	for _, f := range files {
		present[f.path] = true
	}
	d.Digests.keepOnly(present)
	changed := false
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		sum, err := d.hash(f.path)
		if err != nil {
			return nil, fmt.Errorf("input %s: %w", f.path, err)
		}
		old, taken := wm.Files[f.key]
		switch {
		case !taken:
			wm.Files[f.key] = sum
			changed = true
		case old != sum && wm.Changed[f.key] != sum:
			wm.Changed[f.key] = sum
			changed = true
		}
	}
	if !changed {
		return from, nil
	}
	return wm.Encode(), nil
}

// hash returns the file's digest: the one in d.Digests while the file's
// stamp has not moved, else a new one, remembered there.
func (d DropFolder) hash(path string) (string, error) {
	before, err := os.Stat(path)
	if err != nil {
		return "", err
	}
	if sum, _, ok := d.Digests.lookup(path, before); ok {
		return sum, nil
	}
	start := time.Now()
	sum, err := hashFile(path)
	if err != nil {
		return "", err
	}
	d.Digests.remember(path, before, sum, start)
	return sum, nil
}

// hashFile computes a file's digest (a variable so that tests count calls).
var hashFile = fsutil.HashFile

// WindowFile is one file to read in a window.
type WindowFile struct {
	Key    string // name recorded in the watermark
	Path   string // path to open
	SHA256 string // digest planned; the reader must check the content still has it

	progress *Progress
	digests  *DigestCache
}

// Window returns the files of the window (from, to] in name order, and
// one reject per file first reported changed in that window.
func (d DropFolder) Window(from, to Watermark) ([]WindowFile, []Record, error) {
	a, err := ParseFileWatermark(from)
	if err != nil {
		return nil, nil, err
	}
	b, err := ParseFileWatermark(to)
	if err != nil {
		return nil, nil, err
	}
	var files []WindowFile
	var rejects []Record
	for _, key := range sortedKeys(b.Files) {
		if _, taken := a.Files[key]; !taken {
			f := WindowFile{Key: key, Path: d.path(key), SHA256: b.Files[key], progress: d.Progress, digests: d.Digests}
			if st, err := os.Stat(f.Path); err == nil {
				d.Progress.AddTotal(st.Size())
			}
			files = append(files, f)
		}
	}
	for _, key := range sortedKeys(b.Changed) {
		if a.Changed[key] == b.Changed[key] {
			continue
		}
		rejects = append(rejects, Record{SourceRef: key, Reject: &Reject{Reason: fmt.Sprintf(
			"%s changed after it was taken (sha256 %.12s, now %.12s): not re-read; drop corrections under a new name",
			key, b.Files[key], b.Changed[key])}})
	}
	return files, rejects, nil
}

// Open opens a window file and checks, as it is read to the end, that its
// content still has the planned digest (see VerifiedReader).
func (f WindowFile) Open() (*VerifiedReader, error) {
	fh, err := os.Open(f.Path)
	if err != nil {
		return nil, fmt.Errorf("input %s: %w", f.Key, err)
	}
	v := &VerifiedReader{f: fh, want: f.SHA256, key: f.Key, progress: f.progress}
	if fi, err := fh.Stat(); err == nil {
		v.stamp, v.stamped = f.digests.known(f.Path, fi, f.SHA256)
	}
	if !v.stamped {
		v.h = sha256.New()
	}
	return v, nil
}

// VerifiedReader reads a window file and, at EOF, fails with an error if
// the bytes read do not have the planned digest. A file whose digest is
// known with its stamp (see DigestCache) and whose stamp has not moved
// since is not hashed again: at EOF its stamp and length are checked
// instead.
type VerifiedReader struct {
	f *os.File
	h interface {
		io.Writer
		Sum([]byte) []byte
	}
	stamp    fileStamp // when stamped: the file's stamp when Plan hashed it
	stamped  bool
	read     int64
	want     string
	key      string
	progress *Progress
}

// Read reads from the file; at EOF it checks the digest.
func (v *VerifiedReader) Read(p []byte) (int, error) {
	n, err := v.f.Read(p)
	if v.h != nil {
		v.h.Write(p[:n])
	}
	v.read += int64(n)
	v.progress.Add(int64(n))
	if err == io.EOF {
		if cerr := v.check(); cerr != nil {
			return n, cerr
		}
	}
	return n, err
}

// check runs at EOF: the digest of the bytes read, or the stamp, must be
// what was planned.
func (v *VerifiedReader) check() error {
	if v.h != nil {
		if got := hex.EncodeToString(v.h.Sum(nil)); got != v.want {
			return fmt.Errorf("input %s changed while it was being taken (sha256 %.12s, planned %.12s)", v.key, got, v.want)
		}
		return nil
	}
	fi, err := v.f.Stat()
	if err != nil {
		return fmt.Errorf("input %s: %w", v.key, err)
	}
	if st, ok := stampOf(fi); !ok || st != v.stamp || v.read != v.stamp.size {
		return fmt.Errorf("input %s changed while it was being taken (read %d bytes of %d; size, times or identity changed since it was planned)", v.key, v.read, v.stamp.size)
	}
	return nil
}

// Size is the file's size in bytes, for progress reports.
func (v *VerifiedReader) Size() int64 {
	st, err := v.f.Stat()
	if err != nil {
		return -1
	}
	return st.Size()
}

// Close closes the file.
func (v *VerifiedReader) Close() error { return v.f.Close() }

type listed struct{ key, path string }

func (d DropFolder) full() string {
	if filepath.IsAbs(d.Pattern) {
		return d.Pattern
	}
	return filepath.Join(d.BaseDir, d.Pattern)
}

func (d DropFolder) path(key string) string {
	if filepath.IsAbs(key) {
		return key
	}
	return filepath.Join(d.BaseDir, filepath.FromSlash(key))
}

func (d DropFolder) list() ([]listed, error) {
	matches, err := filepath.Glob(d.full())
	if err != nil {
		return nil, fmt.Errorf("input %q: %w", d.Pattern, err)
	}
	if len(matches) == 0 && !hasMeta(d.Pattern) {
		return nil, fmt.Errorf("input %q: no such file", d.Pattern)
	}
	sort.Strings(matches)
	var out []listed
	for _, m := range matches {
		st, err := os.Stat(m)
		if err != nil {
			return nil, fmt.Errorf("input %s: %w", m, err)
		}
		if st.IsDir() || filepath.Ext(m) == ".tmp" || filepath.Base(m)[0] == '.' {
			continue
		}
		key := m
		if !filepath.IsAbs(d.Pattern) {
			if rel, err := filepath.Rel(d.BaseDir, m); err == nil {
				key = filepath.ToSlash(rel)
			}
		}
		out = append(out, listed{key: key, path: m})
	}
	return out, nil
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func hasMeta(p string) bool {
	for _, c := range p {
		if c == '*' || c == '?' || c == '[' {
			return true
		}
	}
	return false
}
