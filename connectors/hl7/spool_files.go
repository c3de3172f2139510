package hl7

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/healthanchor/healthanchor/internal/fsutil"
)

// A spool folder holds what the MLLP listener accepted, as segment files
// in MLLP capture format (0x0B message 0x1C 0x0D, repeated):
//
//	00000000000000000042.mllp   a sealed segment: complete, never changed again
//	00000000000000000043.open   the segment being appended to (one at most)
//	taken                       the last segment seq a run anchored (for depth and pruning)
//	seal                        a run in another process asks the listener to seal
//	.lock                       flock held by the listener
//
// Segments are numbered in order and a number is never reused, so the
// job's watermark is the last sealed segment it took.
const (
	sealedExt = ".mllp"
	openExt   = ".open"
	takenFile = "taken"
	lockFile  = ".lock"
	sealAsk   = "seal"
	seqDigits = 20
)

// spoolFile is one spool segment file.
type spoolFile struct {
	seq  uint64
	path string
	open bool
}

func segmentName(seq uint64, ext string) string {
	return fmt.Sprintf("%0*d%s", seqDigits, seq, ext)
}

// listSegments lists the spool's segments in seq order.
func listSegments(dir string) ([]spoolFile, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("hl7: spool %s: %w", dir, err)
	}
	var segs []spoolFile
	for _, e := range entries {
		name := e.Name()
		ext := filepath.Ext(name)
		if ext != sealedExt && ext != openExt {
			continue
		}
		seq, err := strconv.ParseUint(strings.TrimSuffix(name, ext), 10, 64)
		if err != nil || len(name)-len(ext) != seqDigits {
			continue
		}
		segs = append(segs, spoolFile{seq: seq, path: filepath.Join(dir, name), open: ext == openExt})
	}
	sort.Slice(segs, func(i, j int) bool { return segs[i].seq < segs[j].seq })
	return segs, nil
}

// sealFile makes an open segment sealed: it cuts a torn tail (a block a
// crash left half written, never acknowledged), then renames the file
// durably. An empty segment stays, empty, so that numbers have no gaps.
func sealFile(dir string, s spoolFile) error {
	f, err := os.OpenFile(s.path, os.O_RDWR, 0)
	if err != nil {
		return fmt.Errorf("hl7: spool: seal %s: %w", s.path, err)
	}
	defer f.Close()
	end, err := completeLength(f)
	if err != nil {
		return fmt.Errorf("hl7: spool: seal %s: %w", s.path, err)
	}
	if st, err := f.Stat(); err == nil && st.Size() != end {
		if err := f.Truncate(end); err != nil {
			return fmt.Errorf("hl7: spool: seal %s: %w", s.path, err)
		}
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("hl7: spool: seal %s: %w", s.path, err)
	}
	if err := os.Rename(s.path, filepath.Join(dir, segmentName(s.seq, sealedExt))); err != nil {
		return fmt.Errorf("hl7: spool: seal: %w", err)
	}
	if err := fsutil.SyncDir(dir); err != nil {
		return fmt.Errorf("hl7: spool: seal: %w", err)
	}
	return nil
}

// completeLength is the length of the file's complete blocks: up to the
// last 0x1C 0x0D.
func completeLength(f *os.File) (int64, error) {
	st, err := f.Stat()
	if err != nil {
		return 0, err
	}
	const chunk = 64 << 10
	buf := make([]byte, chunk+1)
	for end := st.Size(); end > 0; {
		start := max(0, end-chunk)
		n, err := f.ReadAt(buf[:end-start], start)
		if err != nil && !errors.Is(err, io.EOF) {
			return 0, err
		}
		if i := bytes.LastIndex(buf[:n], []byte{mllpEnd, mllpCR}); i >= 0 {
			return start + int64(i) + 2, nil
		}
		if start == 0 {
			break
		}
		end = start + 1 // keep one byte: the pair may straddle the chunks
	}
	return 0, nil
}

// recoverSpool seals every open segment (after a crash, or a listener
// that stopped without sealing). The caller holds the spool's lock.
func recoverSpool(dir string) error {
	segs, err := listSegments(dir)
	if err != nil {
		return err
	}
	for _, s := range segs {
		if s.open {
			if err := sealFile(dir, s); err != nil {
				return err
			}
		}
	}
	return nil
}

// lockSpool takes the spool's lock without waiting; ok is false when
// another listener holds it.
func lockSpool(dir string) (f *os.File, ok bool, err error) {
	f, err = os.OpenFile(filepath.Join(dir, lockFile), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, false, fmt.Errorf("hl7: spool: lock: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, false, nil
		}
		return nil, false, fmt.Errorf("hl7: spool: lock: %w", err)
	}
	return f, true, nil
}

func unlockSpool(f *os.File) {
	syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
	f.Close()
}

// readTaken returns the last segment seq a run took (0 when none).
func readTaken(dir string) uint64 {
	b, err := os.ReadFile(filepath.Join(dir, takenFile))
	if err != nil {
		return 0
	}
	n, _ := strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64)
	return n
}

// writeTaken records seq as taken, durably (segments up to it may then be
// pruned, and their numbers must never come back).
func writeTaken(dir string, seq uint64) error {
	tmp := filepath.Join(dir, takenFile+".tmp")
	f, err := os.Create(tmp)
	if err != nil {
		return fmt.Errorf("hl7: spool: %w", err)
	}
	_, err = f.WriteString(strconv.FormatUint(seq, 10) + "\n")
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, filepath.Join(dir, takenFile))
	}
	if err == nil {
		err = fsutil.SyncDir(dir)
	}
	if err != nil {
		return fmt.Errorf("hl7: spool: record taken segments: %w", err)
	}
	return nil
}

// askSeal asks the listener of another process to seal its open
// segment, and waits until it did (it looks every sealPoll), or until
// wait passed: a run then takes what is sealed.
func askSeal(dir string, wait time.Duration) error {
	segs, err := listSegments(dir)
	if err != nil {
		return err
	}
	open := false
	for _, s := range segs {
		open = open || s.open
	}
	if !open {
		return nil
	}
	ask := filepath.Join(dir, sealAsk)
	if err := os.WriteFile(ask, nil, 0o640); err != nil {
		return fmt.Errorf("hl7: spool: ask the listener to seal: %w", err)
	}
	for deadline := time.Now().Add(wait); time.Now().Before(deadline); time.Sleep(sealPoll / 4) {
		if _, err := os.Stat(ask); os.IsNotExist(err) {
			return nil
		}
	}
	return nil
}

// sealAsked reports whether a run of another process asked for a seal.
func sealAsked(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, sealAsk))
	return err == nil
}

// sealDone answers a seal request, once the open segment is sealed.
func sealDone(dir string) { os.Remove(filepath.Join(dir, sealAsk)) }
