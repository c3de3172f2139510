package connectors

import (
	"os"
	"syscall"
	"time"
)

func stampOf(fi os.FileInfo) (fileStamp, bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return fileStamp{}, false
	}
	return fileStamp{
		dev: uint64(st.Dev), ino: st.Ino, size: st.Size,
		modified: fi.ModTime().UnixNano(),
		changed:  time.Unix(st.Ctim.Sec, st.Ctim.Nsec).UnixNano(),
	}, true
}
