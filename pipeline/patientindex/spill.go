package patientindex

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
)

// spillPattern names the temporary files a long batch's runs are spilled
// to, beside the index; Open removes any a crash left behind.
const spillPattern = ".patients-spill-*"

// spill holds a batch's runs of encoded pairs in a temporary file, one
// after the other, each run its buckets in bucket order, each bucket as
// its number (uvarint), the length of its pairs (uvarint) and the pairs.
type spill struct {
	f     *os.File
	w     *bufio.Writer
	size  int64   // bytes written
	ends  []int64 // where each run ends
	arena []byte  // merged rows handed out and not yet inserted
}

func newSpill(dir string) (*spill, error) {
	f, err := os.CreateTemp(dir, spillPattern)
	if err != nil {
		return nil, fmt.Errorf("spill: %w", err)
	}
	return &spill{f: f, w: bufio.NewWriterSize(f, 1<<20)}, nil
}

// writeRun appends one run: the buckets used, in bucket order.
func (s *spill) writeRun(used []int, buckets *[1 << bucketBits][]byte) error {
	var hdr [2 * binary.MaxVarintLen64]byte
	for _, b := range used {
		h := binary.AppendUvarint(hdr[:0], uint64(b))
		h = binary.AppendUvarint(h, uint64(len(buckets[b])))
		s.w.Write(h) // a write error sticks, and Flush returns it
		s.w.Write(buckets[b])
		s.size += int64(len(h) + len(buckets[b]))
	}
	s.ends = append(s.ends, s.size)
	if err := s.w.Flush(); err != nil {
		return fmt.Errorf("spill: %w", err)
	}
	return nil
}

// merge calls fn with each bucket's row, in bucket order, its pairs those
// of every run in run order, so in row order. A row's pairs stay valid
// until release.
func (s *spill) merge(fn func(bucketRow) error) error {
	runs := make([]*runReader, len(s.ends))
	var start int64
	for i, end := range s.ends {
		runs[i] = &runReader{r: bufio.NewReaderSize(io.NewSectionReader(s.f, start, end-start), 64<<10)}
		if err := runs[i].next(); err != nil {
			return err
		}
		start = end
	}
	for b := range 1 << bucketBits {
		begin := len(s.arena)
		for _, r := range runs {
			if !r.ok || r.bucket != b {
				continue
			}
			n := len(s.arena)
			s.arena = slices.Grow(s.arena, r.n)[:n+r.n]
			if _, err := io.ReadFull(r.r, s.arena[n:]); err != nil {
				return fmt.Errorf("spill: bucket %d: %w", b, err)
			}
			if err := r.next(); err != nil {
				return err
			}
		}
		if len(s.arena) > begin {
			if err := fn(bucketRow{b, s.arena[begin:len(s.arena):len(s.arena)]}); err != nil {
				return err
			}
		}
	}
	for i, r := range runs {
		if r.ok {
			return fmt.Errorf("spill: run %d: bucket %d out of order", i, r.bucket)
		}
	}
	return nil
}

// release lets the arena be reused: the rows merge handed out are written.
func (s *spill) release() { s.arena = s.arena[:0] }

// close removes the file.
func (s *spill) close() {
	s.f.Close()
	os.Remove(s.f.Name())
}

// runReader reads one spilled run, a bucket's header ahead.
type runReader struct {
	r      *bufio.Reader
	ok     bool // a bucket is ahead
	bucket int
	n      int // length of its pairs
}

func (r *runReader) next() error {
	b, err := binary.ReadUvarint(r.r)
	if errors.Is(err, io.EOF) {
		r.ok = false
		return nil
	}
	var n uint64
	if err == nil {
		n, err = binary.ReadUvarint(r.r)
	}
	if err == nil && (b >= 1<<bucketBits || r.ok && int(b) <= r.bucket || n > 1<<40) {
		err = fmt.Errorf("bucket %d of %d bytes after bucket %d", b, n, r.bucket)
	}
	if err != nil {
		return fmt.Errorf("spill: %w", err)
	}
	r.ok, r.bucket, r.n = true, int(b), int(n)
	return nil
}

// removeStaleSpills removes the spill files in dir that a crashed
// process left (on Linux a file still open elsewhere stays readable).
func removeStaleSpills(dir string) {
	names, _ := filepath.Glob(filepath.Join(dir, spillPattern))
	for _, name := range names {
		os.Remove(name)
	}
}
