//go:build unix

package audit

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"syscall"
)

// noFollow makes opening the audit file fail (ELOOP) when its last component is a symbolic
// link, so that nobody can point the trail at another file between a check and the open.
const noFollow = syscall.O_NOFOLLOW

// checkDir refuses a directory others could use to swap the audit file: writable by its
// group or everyone (sticky bit or not), or owned by another user (root apart).
func checkDir(dir string) error {
	fi, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("audit trail: %w", err)
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		if uid := int(st.Uid); uid != 0 && uid != os.Geteuid() {
			return fmt.Errorf("audit trail: directory %s is owned by another user (uid %s): set XDG_STATE_HOME to a directory of your own", dir, strconv.Itoa(uid))
		}
	}
	if fi.Mode().Perm()&0o022 != 0 {
		return fmt.Errorf("audit trail: directory %s is writable by others: run chmod go-w %s", dir, shellQuote(dir))
	}
	return nil
}

// isLoop reports the error O_NOFOLLOW gives for a symbolic link (ELOOP; EMLINK on FreeBSD).
func isLoop(err error) bool {
	return errors.Is(err, syscall.ELOOP) || errors.Is(err, syscall.EMLINK)
}
