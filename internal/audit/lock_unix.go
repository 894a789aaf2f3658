//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package audit

import (
	"os"
	"syscall"
)

// lockFile takes an exclusive advisory lock so that two shcr processes never interleave the
// "does the file end mid-line?" check with each other's writes. Where the file system does not
// support locks, O_APPEND and a single write per event still keep lines whole.
func lockFile(f *os.File) (unlock func()) {
	fd := int(f.Fd())
	for {
		err := syscall.Flock(fd, syscall.LOCK_EX)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return func() {}
		}
		return func() { _ = syscall.Flock(fd, syscall.LOCK_UN) }
	}
}
