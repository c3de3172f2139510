package batchfile

import (
	"context"
	"fmt"
	"os"
)

// File is a batch file open for reading: a local file, or an object in
// a bucket read by ranges (storage.Object). Size is its size in bytes.
type File interface {
	Source
	Size() int64
	Close() error
}

// Opener opens the batch file at path (a local path or an object URL)
// for reading. OpenLocal is the one for local files.
type Opener func(ctx context.Context, path string) (File, error)

// localFile is an *os.File with its size.
type localFile struct {
	*os.File
	size int64
}

func (f localFile) Size() int64 { return f.size }

// OpenLocal opens the local file at path as a File. Errors wrap the
// os.Open one, so errors.Is(err, fs.ErrNotExist) holds for a missing file.
func OpenLocal(_ context.Context, path string) (File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("batchfile: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("batchfile: %w", err)
	}
	return localFile{File: f, size: st.Size()}, nil
}
