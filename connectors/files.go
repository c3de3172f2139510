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
)

// FileWatermark is the watermark of file-drop connectors (csv, hl7): every
// file taken so far with the SHA-256 it had, and files seen changed after
// they were taken (already reported, so reported only once).
type FileWatermark struct {
	Files   map[string]string `json:"files"`
	Changed map[string]string `json:"changed,omitempty"`
}

// PendingFile is a file matched by a glob and not yet taken.
type PendingFile struct {
	Key    string // name recorded in the watermark (relative to the base dir when the glob is)
	Path   string // path to open
	SHA256 string // hex digest of its content when listed
	Size   int64
}

// FileScan is the outcome of listing a drop folder against a watermark.
type FileScan struct {
	New     []PendingFile // files to take, in name order
	Changed []Record      // one reject per file whose content changed after it was taken
	next    FileWatermark
}

// ScanFiles lists the files matching pattern (a path or a glob, relative
// to baseDir unless absolute) that the watermark from has not taken. A
// file taken before whose content now differs is not re-read: it becomes
// a reject naming both digests, reported once.
func ScanFiles(ctx context.Context, baseDir, pattern string, from Watermark) (*FileScan, error) {
	var wm FileWatermark
	if len(from) > 0 {
		if err := json.Unmarshal(from, &wm); err != nil {
			return nil, fmt.Errorf("watermark: %w", err)
		}
	}
	next := FileWatermark{Files: map[string]string{}, Changed: map[string]string{}}
	for k, v := range wm.Files {
		next.Files[k] = v
	}
	for k, v := range wm.Changed {
		next.Changed[k] = v
	}
	full := pattern
	if !filepath.IsAbs(pattern) {
		full = filepath.Join(baseDir, pattern)
	}
	matches, err := filepath.Glob(full)
	if err != nil {
		return nil, fmt.Errorf("input %q: %w", pattern, err)
	}
	if len(matches) == 0 && !hasMeta(pattern) {
		return nil, fmt.Errorf("input %q: no such file", pattern)
	}
	sort.Strings(matches)
	scan := &FileScan{}
	for _, m := range matches {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		st, err := os.Stat(m)
		if err != nil {
			return nil, fmt.Errorf("input %s: %w", m, err)
		}
		if st.IsDir() || filepath.Ext(m) == ".tmp" {
			continue
		}
		key := m
		if !filepath.IsAbs(pattern) {
			if rel, err := filepath.Rel(baseDir, m); err == nil {
				key = filepath.ToSlash(rel)
			}
		}
		sum, err := hashFile(m)
		if err != nil {
			return nil, fmt.Errorf("input %s: %w", m, err)
		}
		old, taken := next.Files[key]
		switch {
		case !taken:
			scan.New = append(scan.New, PendingFile{Key: key, Path: m, SHA256: sum, Size: st.Size()})
			next.Files[key] = sum
		case old != sum && next.Changed[key] != sum:
			next.Changed[key] = sum
			scan.Changed = append(scan.Changed, Record{
				SourceRef: key,
				Reject: &Reject{Reason: fmt.Sprintf("%s changed after it was taken (sha256 %s, now %s): not re-read; drop corrections under a new name", key, old[:12], sum[:12])},
			})
		}
	}
	if len(next.Changed) == 0 {
		next.Changed = nil
	}
	scan.next = next
	return scan, nil
}

// Watermark returns the watermark once every listed file has been taken.
func (s *FileScan) Watermark() Watermark {
	b, err := json.Marshal(s.next)
	if err != nil {
		panic(err) // maps of strings always marshal
	}
	return b
}

func hasMeta(p string) bool {
	for _, c := range p {
		if c == '*' || c == '?' || c == '[' {
			return true
		}
	}
	return false
}

func hashFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
