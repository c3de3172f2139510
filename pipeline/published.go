package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/healthanchor/healthanchor/anchor/batchfile"
	"github.com/healthanchor/healthanchor/storage"
)

// OpenPublished opens a file this node published, by the path or object
// URL the state DB records, as a random-access reader with its size: a
// local file (a relative path is the config folder's), or the object in
// the configured bucket, read by ranges. Every command that reads a
// published file (verify, prove, audit, index, erase, the exchange) opens
// it here. A missing file or object is an error for which
// errors.Is(err, fs.ErrNotExist) holds.
func (n *Node) OpenPublished(ctx context.Context, path string) (batchfile.File, error) {
	if !isObjectURL(path) {
		return batchfile.OpenLocal(ctx, n.Config.Path(path))
	}
	bk, rel, err := n.objectOf(ctx, path)
	if err != nil {
		return nil, err
	}
	obj, err := bk.Open(ctx, rel)
	if err != nil {
		if errors.Is(err, storage.ErrNotFound) {
			return nil, notExist{err}
		}
		return nil, err
	}
	return PublishedObject{obj}, nil
}

// publishedPath is where the published file the state DB records as p
// is: a relative local path made the config folder's; an object URL as is.
func (n *Node) publishedPath(p string) string {
	if isObjectURL(p) {
		return p
	}
	return n.Config.Path(p)
}

// ReadPublishedRejects reads the published rejects file at path (a local
// path or an object URL, OpenPublished) as batchfile.ReadRejects does.
func (n *Node) ReadPublishedRejects(ctx context.Context, path string, fn func(batchfile.Reject) error) error {
	f, err := n.OpenPublished(ctx, path)
	if err != nil {
		return fmt.Errorf("batchfile: rejects %s: %w", path, err)
	}
	defer f.Close()
	return batchfile.ReadRejectsFrom(ctx, path, f, fn)
}

// publishedExists says whether the published file or object at path is
// there.
func (n *Node) publishedExists(ctx context.Context, path string) (bool, error) {
	if !isObjectURL(path) {
		_, err := os.Stat(n.Config.Path(path))
		if errors.Is(err, fs.ErrNotExist) {
			return false, nil
		}
		return err == nil, err
	}
	bk, rel, err := n.objectOf(ctx, path)
	if err != nil {
		return false, err
	}
	_, ok, err := bk.Stat(ctx, rel)
	return ok, err
}

// objectOf is the configured bucket and the key, relative to its prefix,
// of an object URL this node recorded.
func (n *Node) objectOf(ctx context.Context, url string) (*storage.Bucket, string, error) {
	bk, err := n.Bucket(ctx)
	if err != nil {
		return nil, "", err
	}
	if bk == nil {
		return nil, "", &outputError{url, "is in an object store, but the config's output is a folder: set output to that store"}
	}
	rel, ok := bk.Rel(url)
	if !ok {
		return nil, "", &outputError{url, "is not in the configured output " + bk.URL("")}
	}
	return bk, rel, nil
}

// outputError says that the configured output does not hold a recorded
// object URL.
type outputError struct{ url, why string }

func (e *outputError) Error() string { return e.url + " " + e.why }

// PublishedObject is a published object open for ranged reads
// (storage.Object) as a batchfile.File.
type PublishedObject struct{ *storage.Object }

// Close releases nothing: every read is its own request.
func (PublishedObject) Close() error { return nil }

// notExist marks a missing object as fs.ErrNotExist, as a missing local
// file is.
type notExist struct{ error }

func (e notExist) Is(target error) bool { return target == fs.ErrNotExist }
func (e notExist) Unwrap() error        { return e.error }
