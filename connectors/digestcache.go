package connectors

import (
	"fmt"
	"os"
	"sync"
	"time"
)

// racyWindow is how long after its last change a file's stamp is trusted
// to tell its content: file times tick coarsely (a few milliseconds on
// Linux), so a file changed again within the same tick keeps its stamp.
// A file changed less than this before it was hashed is not cached: it is
// hashed again when read and when next planned (as git treats "racily
// clean" files).
var racyWindow = 2 * time.Second

// DigestCache remembers the digests Plan computed, each with the file's
// stamp (identity, size, modification and change times) at the time, so
// that a file whose stamp has not moved since is not hashed again: not when
// it is read right after planning, and not by later runs planning the same
// drop folder (which must otherwise hash every file ever taken to notice
// one that changed), when the cache is kept between runs (Entries,
// LoadDigestCache). The zero value is not ready; a nil cache caches
// nothing.
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

// LoadDigestCache returns a cache holding entries as Entries wrote them;
// entries it cannot read are left out (they only cost a hash).
func LoadDigestCache(entries map[string]string) *DigestCache {
	c := NewDigestCache()
	for path, e := range entries {
		var d cachedDigest
		st := &d.stamp
		if n, err := fmt.Sscanf(e, "%d %d %d %d %d %64s", &st.dev, &st.ino, &st.size, &st.modified, &st.changed, &d.sha256); err == nil && n == 6 && len(d.sha256) == 64 {
			c.m[path] = d
		}
	}
	return c
}

// Entries returns the cache's content, by path, in a form LoadDigestCache reads.
func (c *DigestCache) Entries() map[string]string {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]string, len(c.m))
	for path, d := range c.m {
		st := d.stamp
		out[path] = fmt.Sprintf("%d %d %d %d %d %s", st.dev, st.ino, st.size, st.modified, st.changed, d.sha256)
	}
	return out
}

// lookup returns the digest remembered for path, and the stamp, if fi,
// the file's stamp now, is the stamp it had when hashed.
func (c *DigestCache) lookup(path string, fi os.FileInfo) (string, fileStamp, bool) {
	if c == nil {
		return "", fileStamp{}, false
	}
	st, ok := stampOf(fi)
	if !ok {
		return "", st, false
	}
	c.mu.Lock()
	d, found := c.m[path]
	c.mu.Unlock()
	if !found || d.stamp != st {
		return "", st, false
	}
	return d.sha256, st, true
}

// keepOnly forgets every path not in keep (files no longer in the folder).
func (c *DigestCache) keepOnly(keep map[string]bool) {
	if c == nil {
		return
	}
	c.mu.Lock()
	for path := range c.m {
		if !keep[path] {
			delete(c.m, path)
		}
	}
	c.mu.Unlock()
}

// remember records that path, whose stamp was before when hashing began
// at hashedAt, hashed to sum, if its stamp was the same after hashing and
// is old enough to be trusted.
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
	got, st, ok := c.lookup(path, now)
	return st, ok && got == sum
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
