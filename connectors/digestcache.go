package connectors

import (
	"os"
	"sync"
	"time"
)

// racyWindow is how long after its last change a file's stamp is trusted
// to tell its content: file times tick coarsely (a few milliseconds on
// Linux), so a file changed again within the same tick keeps its stamp.
// A file changed less than this before it was hashed is hashed again
// when read (as git treats "racily clean" files).
var racyWindow = 2 * time.Second

// DigestCache remembers the digests Plan computed in this process, each
// with the file's stamp (identity, size, modification and change times)
// at the time, so that reading a file planned moments before need not hash
// it a second time while its stamp is unchanged. The zero value is not
// ready; a nil cache caches nothing.
type DigestCache struct {
	mu sync.Mutex
	m  map[string]cachedDigest
}

type cachedDigest struct {
	stamp  fileStamp
	sha256 string
}

// NewDigestCache returns an empty cache.
func NewDigestCache() *DigestCache { return &DigestCache{m: map[string]cachedDigest{}} }

// remember records that path, stamped before with st, hashed to sum, if
// its stamp was the same after hashing and is old enough to be trusted.
func (c *DigestCache) remember(path string, before os.FileInfo, sum string, hashedAt time.Time) {
	if c == nil {
		return
	}
	st, ok := stampOf(before)
	if !ok || hashedAt.UnixNano()-st.changed < int64(racyWindow) {
		c.forget(path)
		return
	}
	after, err := os.Stat(path)
	if err != nil {
		c.forget(path)
		return
	}
	if st2, ok := stampOf(after); !ok || st2 != st {
		c.forget(path)
		return
	}
	c.mu.Lock()
	c.m[path] = cachedDigest{stamp: st, sha256: sum}
	c.mu.Unlock()
}

func (c *DigestCache) forget(path string) {
	c.mu.Lock()
	delete(c.m, path)
	c.mu.Unlock()
}

// known reports whether the open file at path still has the stamp it had
// when it hashed to sum.
func (c *DigestCache) known(path string, now os.FileInfo, sum string) (fileStamp, bool) {
	if c == nil {
		return fileStamp{}, false
	}
	st, ok := stampOf(now)
	if !ok {
		return st, false
	}
	c.mu.Lock()
	d, found := c.m[path]
	c.mu.Unlock()
	return st, found && d.stamp == st && d.sha256 == sum
}

// fileStamp identifies a file's content as far as its metadata can: the
// change time moves on every write, whatever the writer does to the
// modification time.
type fileStamp struct {
	dev, ino uint64
	size     int64
	modified int64 // Unix nanoseconds
	changed  int64
}
