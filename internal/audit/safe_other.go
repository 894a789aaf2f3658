//go:build !unix

package audit

// noFollow: no O_NOFOLLOW here; Open checks for a link with Lstat before opening instead.
const noFollow = 0

// checkDir does nothing where directories have no Unix owner and mode bits (Windows).
func checkDir(string) error { return nil }

func isLoop(error) bool { return false }
