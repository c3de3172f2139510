package storage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync/atomic"
)

// Object reads one object by ranges: ReadAt asks the store for exactly
// the bytes wanted (a Parquet reader fetches the footer, then each column
// chunk), and WriteTo streams the whole object in one request (for
// hashing). It counts the bytes it fetched.
type Object struct {
	ctx     context.Context
	b       *Bucket
	rel     string
	size    int64
	off     int64 // for Read and Seek
	fetched atomic.Int64
}

// Open returns the object at rel for ranged reads; its size is read once.
func (b *Bucket) Open(ctx context.Context, rel string) (*Object, error) {
	a, ok, err := b.Stat(ctx, rel)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("storage: %s: %w", b.URL(rel), ErrNotFound)
	}
	return &Object{ctx: ctx, b: b, rel: rel, size: a.Size}, nil
}

// Name is the object's URL.
func (o *Object) Name() string { return o.b.URL(o.rel) }

// Size is the object's size in bytes.
func (o *Object) Size() int64 { return o.size }

// Fetched is how many bytes were read from the store so far.
func (o *Object) Fetched() int64 { return o.fetched.Load() }

// ReadAt reads len(p) bytes at off with one ranged request.
func (o *Object) ReadAt(p []byte, off int64) (int, error) {
	if off >= o.size {
		return 0, io.EOF
	}
	want := int64(len(p))
	if off+want > o.size {
		want = o.size - off
	}
	r, err := o.b.b.NewRangeReader(o.ctx, o.b.key(o.rel), off, want, nil)
	if err != nil {
		return 0, o.b.explain("read", o.Name(), err)
	}
	defer r.Close()
	n, err := io.ReadFull(r, p[:want])
	o.fetched.Add(int64(n))
	if err != nil {
		return n, o.b.explain("read", o.Name(), err)
	}
	if want < int64(len(p)) {
		return n, io.EOF
	}
	return n, nil
}

// Read reads from the current offset (by ReadAt).
func (o *Object) Read(p []byte) (int, error) {
	n, err := o.ReadAt(p, o.off)
	o.off += int64(n)
	if errors.Is(err, io.EOF) && n > 0 {
		err = nil
	}
	return n, err
}

// Seek sets the offset for Read.
func (o *Object) Seek(offset int64, whence int) (int64, error) {
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		offset += o.off
	case io.SeekEnd:
		offset += o.size
	default:
		return 0, fmt.Errorf("storage: seek: bad whence %d", whence)
	}
	if offset < 0 {
		return 0, fmt.Errorf("storage: seek: negative offset")
	}
	o.off = offset
	return offset, nil
}

// WriteTo streams the whole object to w in one request.
func (o *Object) WriteTo(w io.Writer) (int64, error) {
	r, err := o.b.b.NewReader(o.ctx, o.b.key(o.rel), nil)
	if err != nil {
		return 0, o.b.explain("read", o.Name(), err)
	}
	defer r.Close()
	n, err := io.Copy(w, r)
	o.fetched.Add(n)
	if err != nil {
		return n, o.b.explain("read", o.Name(), err)
	}
	return n, nil
}
