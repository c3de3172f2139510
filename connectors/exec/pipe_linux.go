package exec

import (
	"os"
	"syscall"
)

// fSetPipeSize is Linux's F_SETPIPE_SZ fcntl command.
const fSetPipeSize = 1031

// growPipe asks for a 1 MiB buffer in the pipe of the tap's output (the
// default is 64 KiB, the most that /proc/sys/fs/pipe-max-size allows
// unprivileged is usually 1 MiB), so that the tap and the spooling take
// turns sixteen times less often: on a busy machine each turn can wait
// for a processor. It is a hint; a refusal leaves the pipe as it was.
func growPipe(f *os.File) {
	raw, err := f.SyscallConn()
	if err != nil {
		return
	}
	raw.Control(func(fd uintptr) {
		syscall.Syscall(syscall.SYS_FCNTL, fd, fSetPipeSize, spoolChunk)
	})
}
