//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package forward

import "os"

// lockCursor: without advisory locks two processes may send the same events; the sink drops
// the copies by id.
func lockCursor(p string) (unlock func(), err error) {
	f, err := os.OpenFile(p, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, err
	}
	return func() { _ = f.Close() }, nil
}
