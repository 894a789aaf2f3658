//go:build unix

package config

import (
	"io/fs"
	"os"
	"strconv"
	"syscall"
)

// checkOwner refuses a config file owned by another user (root apart: a file an
// administrator installed is trusted) or writable by its group or by everyone, with the fix
// in one line. It reports whether others can read the file.
func checkOwner(path string, fi fs.FileInfo) (readableByOthers bool, err error) {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		if uid := int(st.Uid); uid != 0 && uid != os.Geteuid() {
			return false, &Error{File: path, Joined: true,
				Msg: "is owned by another user (uid " + strconv.Itoa(uid) + "): use a config file of your own"}
		}
	}
	perm := fi.Mode().Perm()
	if perm&0o022 != 0 {
		return false, &Error{File: path, Joined: true, Msg: "is writable by others: run chmod go-w " + shellQuote(path)}
	}
	return perm&0o044 != 0, nil
}
