package pipeline

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"

	"github.com/healthanchor/healthanchor/internal/fsutil"
)

// ErrLocked means another process holds a job's lock; `run` exits 3 on it.
var ErrLocked = errors.New("another process is running this job")

// jobLock is an exclusive advisory lock (flock) on a job, released by the
// kernel if the process dies.
type jobLock struct{ f *os.File }

func (n *Node) lockJob(job string) (*jobLock, error) {
	return n.lock(job, syscall.LOCK_EX|syscall.LOCK_NB)
}

// lockChain waits for the exclusive right to append to the chain store,
// across processes (a daemon and a cron run of another job): reading the
// producer sequence and appending the block must not interleave.
func (n *Node) lockChain() (*jobLock, error) {
	return n.lock(".chain", syscall.LOCK_EX)
}

func (n *Node) lock(job string, how int) (*jobLock, error) {
	dir := filepath.Join(n.Config.Path(n.Config.OutputDir), ".locks")
	if err := fsutil.MkdirAll(dir, n.Config.DirPerm()); err != nil {
		return nil, fmt.Errorf("pipeline: lock: %w", err)
	}
	path := filepath.Join(dir, job+".lock")
	f, err := fsutil.CreateFile(path, n.Config.FilePerm())
	if errors.Is(err, os.ErrExist) {
		f, err = os.OpenFile(path, os.O_RDWR, 0)
	}
	if err != nil {
		return nil, fmt.Errorf("pipeline: lock: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), how); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("pipeline: job %s (%s): %w", job, path, ErrLocked)
		}
		return nil, fmt.Errorf("pipeline: lock %s: %w", path, err)
	}
	return &jobLock{f: f}, nil
}

func (l *jobLock) release() {
	syscall.Flock(int(l.f.Fd()), syscall.LOCK_UN)
	l.f.Close()
}
