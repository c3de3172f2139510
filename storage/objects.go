package storage

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"gocloud.dev/blob"
)

// Attrs are what the store says about an object.
type Attrs struct {
	Size    int64
	ModTime time.Time
}

// Upload streams the local file at localPath to rel (a multipart upload
// for large files). The object appears whole or not at all.
func (b *Bucket) Upload(ctx context.Context, rel, localPath string) error {
	f, err := os.Open(localPath)
	if err != nil {
		return fmt.Errorf("storage: upload %s: %w", localPath, err)
	}
	defer f.Close()
	if err := b.b.Upload(ctx, b.key(rel), f, &blob.WriterOptions{ContentType: contentType(rel)}); err != nil {
		return b.explain("upload", b.URL(rel), err)
	}
	return nil
}

// WriteAll writes data to rel.
func (b *Bucket) WriteAll(ctx context.Context, rel string, data []byte) error {
	if err := b.b.WriteAll(ctx, b.key(rel), data, &blob.WriterOptions{ContentType: contentType(rel)}); err != nil {
		return b.explain("write", b.URL(rel), err)
	}
	return nil
}

// ReadAll reads the whole object at rel.
func (b *Bucket) ReadAll(ctx context.Context, rel string) ([]byte, error) {
	data, err := b.b.ReadAll(ctx, b.key(rel))
	if err != nil {
		return nil, b.explain("read", b.URL(rel), err)
	}
	return data, nil
}

// Stat returns rel's attributes; ok is false when there is no object.
func (b *Bucket) Stat(ctx context.Context, rel string) (a Attrs, ok bool, err error) {
	at, err := b.b.Attributes(ctx, b.key(rel))
	if err != nil {
		err = b.explain("stat", b.URL(rel), err)
		if errors.Is(err, ErrNotFound) {
			return Attrs{}, false, nil
		}
		return Attrs{}, false, err
	}
	return Attrs{Size: at.Size, ModTime: at.ModTime}, true, nil
}

// Copy copies the object at src to dst, never overwriting: when dst
// already holds an object the error matches ErrExists and dst is left as
// it was. In an S3 store the copy is a conditional CopyObject
// (If-None-Match: *), done inside the store with no download; the store
// refuses it atomically, so two writers cannot both make dst. In a
// folder the copy is written beside dst and renamed into place only if
// dst is still absent (checked under fileblob's lock, which holds within
// one process; the job lock keeps a second process out).
func (b *Bucket) Copy(ctx context.Context, dst, src string) error {
	var err error
	if b.scheme == "file" {
		err = b.copyFile(ctx, dst, src)
	} else {
		err = b.b.Copy(ctx, b.key(dst), b.key(src), &blob.CopyOptions{BeforeCopy: ifNoneMatch})
	}
	if err != nil {
		return b.explain("copy", b.URL(src)+" to "+b.URL(dst), err)
	}
	return nil
}

// Replace copies the object at src over the object at dst, which may
// exist: the one deliberate overwrite, for erasure's rewrite of a
// published object (the erasure entry is anchored before it, so a reader
// knows why the object changed). Publishing uses Copy, which never
// overwrites.
func (b *Bucket) Replace(ctx context.Context, dst, src string) error {
	if err := b.b.Copy(ctx, b.key(dst), b.key(src), nil); err != nil {
		return b.explain("copy", b.URL(src)+" over "+b.URL(dst), err)
	}
	return nil
}

// ifNoneMatch makes an S3 CopyObject conditional on the destination key
// being free (the store answers 412 PreconditionFailed otherwise).
func ifNoneMatch(as func(any) bool) error {
	var in *s3.CopyObjectInput
	if !as(&in) {
		return errors.New("storage: the store's copy takes no condition")
	}
	in.IfNoneMatch = aws.String("*")
	return nil
}

// copyFile copies within a folder through a conditional write (fileblob
// creates dst only if it does not exist), since fileblob's own Copy
// overwrites.
func (b *Bucket) copyFile(ctx context.Context, dst, src string) error {
	r, err := b.b.NewReader(ctx, b.key(src), nil)
	if err != nil {
		return err
	}
	defer r.Close()
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	w, err := b.b.NewWriter(wctx, b.key(dst), &blob.WriterOptions{ContentType: contentType(dst), IfNotExist: true})
	if err != nil {
		return err
	}
	if _, err := io.Copy(w, r); err != nil {
		cancel()
		w.Close()
		return err
	}
	return w.Close()
}

// Delete removes the object at rel; one already gone is no error.
func (b *Bucket) Delete(ctx context.Context, rel string) error {
	err := b.b.Delete(ctx, b.key(rel))
	if err != nil {
		if err = b.explain("delete", b.URL(rel), err); errors.Is(err, ErrNotFound) {
			return nil
		}
	}
	return err
}

// SHA256 streams the object at rel and returns its hex SHA-256 and size.
func (b *Bucket) SHA256(ctx context.Context, rel string) (string, int64, error) {
	r, err := b.b.NewReader(ctx, b.key(rel), nil)
	if err != nil {
		return "", 0, b.explain("read", b.URL(rel), err)
	}
	defer r.Close()
	h := sha256.New()
	n, err := io.Copy(h, r)
	if err != nil {
		return "", n, b.explain("read", b.URL(rel), err)
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

// List calls fn for every object whose key, relative to the prefix,
// starts with relPrefix, in key order.
func (b *Bucket) List(ctx context.Context, relPrefix string, fn func(rel string, a Attrs) error) error {
	it := b.b.List(&blob.ListOptions{Prefix: b.key(relPrefix)})
	for {
		obj, err := it.Next(ctx)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return b.explain("list", b.URL(relPrefix), err)
		}
		if obj.IsDir {
			continue
		}
		rel := obj.Key
		if b.prefix != "" {
			rel = strings.TrimPrefix(rel, b.prefix+"/")
		}
		if err := fn(rel, Attrs{Size: obj.Size, ModTime: obj.ModTime}); err != nil {
			return err
		}
	}
}

func contentType(rel string) string {
	switch {
	case strings.HasSuffix(rel, ".json"):
		return "application/json"
	case strings.HasSuffix(rel, ".parquet"):
		return "application/vnd.apache.parquet"
	}
	return "application/octet-stream"
}
