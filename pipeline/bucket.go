package pipeline

import (
	"context"
	"os"
	"path/filepath"
	"strings"

	"github.com/healthanchor/healthanchor/storage"
)

// Bucket opens, on first use, the object store the config publishes to,
// reading its credentials from the environment variables the config
// names. It returns nil, nil when batches go to a folder. A failure to
// open it is a configuration error (ErrConfig): wrong endpoint,
// credentials or bucket name.
func (n *Node) Bucket(ctx context.Context) (*storage.Bucket, error) {
	cfg := n.Config.Store()
	if cfg == nil {
		return nil, nil
	}
	n.bucketMu.Lock()
	defer n.bucketMu.Unlock()
	if n.bucket != nil {
		return n.bucket, nil
	}
	b, err := storage.Open(ctx, *cfg, os.LookupEnv, n.Config.Dir())
	if err != nil {
		return nil, asConfig(err)
	}
	n.bucket = b
	return b, nil
}

func (n *Node) closeBucket() error {
	n.bucketMu.Lock()
	defer n.bucketMu.Unlock()
	if n.bucket == nil {
		return nil
	}
	err := n.bucket.Close()
	n.bucket = nil
	return err
}

// IsObjectURL says whether a recorded path is an object's URL
// (s3://BUCKET/KEY, file:///FOLDER/KEY) rather than a local path.
func IsObjectURL(p string) bool { return isObjectURL(p) }

func isObjectURL(p string) bool {
	return strings.HasPrefix(p, "s3://") || strings.HasPrefix(p, "file://")
}

// AbsPath is a published file's path made absolute, or its URL as is when
// it is in an object store.
func AbsPath(p string) string {
	if isObjectURL(p) {
		return p
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return p
	}
	return abs
}
