package storage

import (
	"context"

	"gocloud.dev/blob"
)

// Stream is an object being uploaded as its bytes are produced (a batch
// file streamed to its staging key while it is written): a multipart
// upload on S3, so that the object appears whole, on Close, or not at all.
type Stream struct {
	b      *Bucket
	rel    string
	w      *blob.Writer
	cancel context.CancelFunc
	err    error // the first write error, returned again by Close
}

// NewStream starts the upload of an object at rel.
func (b *Bucket) NewStream(ctx context.Context, rel string) (*Stream, error) {
	ctx, cancel := context.WithCancel(ctx)
	w, err := b.b.NewWriter(ctx, b.key(rel), &blob.WriterOptions{ContentType: contentType(rel)})
	if err != nil {
		cancel()
		return nil, b.explain("upload", b.URL(rel), err)
	}
	return &Stream{b: b, rel: rel, w: w, cancel: cancel}, nil
}

// Write sends p on (it blocks while the store is slower than the writer).
func (s *Stream) Write(p []byte) (int, error) {
	if s.err != nil {
		return 0, s.err
	}
	n, err := s.w.Write(p)
	if err != nil {
		s.err = s.b.explain("upload", s.b.URL(s.rel), err)
	}
	return n, s.err
}

// Close completes the upload: the object is there once it returns nil.
func (s *Stream) Close() error {
	defer s.cancel()
	err := s.w.Close()
	if s.err != nil {
		return s.err
	}
	if err != nil {
		return s.b.explain("upload", s.b.URL(s.rel), err)
	}
	return nil
}

// Cancel makes the upload fail: writes under way and later ones return
// an error soon. Unlike the other methods it may be called while another
// goroutine writes.
func (s *Stream) Cancel() { s.cancel() }

// Abort stops the upload; no object is made.
func (s *Stream) Abort() {
	s.cancel()
	s.w.Close()
}
