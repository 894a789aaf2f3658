package audit

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/shcr-project/shcr/internal/nhsnumber"
)

// File and directory permissions of the audit trail.
const (
	FileMode fs.FileMode = 0o600
	DirMode  fs.FileMode = 0o700
)

// ErrClosed is returned by Append after Close.
var ErrClosed = errors.New("the audit trail is closed")

// Options configures a Log. The zero value is usable.
type Options struct {
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// OSUser is recorded in every event; OSUser() when "".
	OSUser string
	// SignedInUser, when set, is asked for the signed-in identity of each event that does not
	// carry one (it may return "" when nobody is signed in).
	SignedInUser func() string
}

// Log appends events to the audit trail. It is safe for concurrent use by several goroutines,
// and several processes may append to the same file at once (O_APPEND, one write per event,
// and an advisory lock where the OS has one).
type Log struct {
	mu   sync.Mutex
	f    *os.File
	path string
	opt  Options
}

// Open opens (creating if needed) the audit trail at path. The directory is created 0700 and
// the file 0600; an existing file with wider permissions is narrowed to 0600.
//
// On a shared machine the trail must be the user's own: Open refuses a path that is a
// symbolic link (the file is opened with O_NOFOLLOW, and the link's target is left alone),
// anything but a regular file, and a directory others can write to or that another user
// owns, each with the fix in one line.
func Open(path string, opt Options) (*Log, error) {
	if path == "" {
		return nil, errors.New("audit trail: no path given")
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, DirMode); err != nil {
		return nil, fmt.Errorf("audit trail: cannot create %s: %w", dir, err)
	}
	if err := checkDir(dir); err != nil {
		return nil, err
	}
	li, statErr := os.Lstat(path)
	created := errors.Is(statErr, fs.ErrNotExist)
	if statErr == nil && li.Mode()&fs.ModeSymlink != 0 {
		return nil, symlinkError(path)
	}
	if statErr == nil && !li.Mode().IsRegular() {
		// Checked before opening: opening a FIFO for writing would block.
		return nil, fmt.Errorf("audit trail: %s is not a regular file", path)
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY|os.O_CREATE|noFollow, FileMode)
	if err != nil {
		if isLoop(err) {
			return nil, symlinkError(path)
		}
		return nil, fmt.Errorf("audit trail: cannot open %s: %w", path, err)
	}
	if fi, err := f.Stat(); err != nil {
		f.Close()
		return nil, fmt.Errorf("audit trail: %w", err)
	} else if !fi.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("audit trail: %s is not a regular file", path)
	} else if fi.Mode().Perm()&^FileMode != 0 {
		if err := f.Chmod(FileMode); err != nil {
			f.Close()
			return nil, fmt.Errorf("audit trail: %s is readable by others and cannot be made private: %w", path, err)
		}
	}
	if created {
		syncDir(dir) // make the new file's directory entry durable
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.OSUser == "" {
		opt.OSUser = OSUser()
	}
	return &Log{f: f, path: path, opt: opt}, nil
}

// Path is the file the log appends to.
func (l *Log) Path() string { return l.path }

// Append writes one event as one line: time (now, if zero) in UTC, the OS user, and the
// signed-in user where known are filled in. The line goes to the file in a single write and
// is fsync'd before Append returns. An error means the event may not have been recorded.
func (l *Log) Append(e Event) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return ErrClosed
	}
	if e.Event == "" {
		return errors.New("audit trail: event kind missing")
	}
	e = e.clean(l.opt.Now())
	if e.OSUser == "" {
		e.OSUser = l.opt.OSUser
	}
	if e.SignedInUser == "" && l.opt.SignedInUser != nil {
		e.SignedInUser = l.opt.SignedInUser()
	}
	if e.NHSNumber != "" {
		e.NHSNumber = nhsnumber.Normalise(e.NHSNumber)
	}
	b, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("audit trail: %w", err)
	}
	line := make([]byte, 0, len(b)+2)
	line = append(line, b...)
	line = append(line, '\n')

	unlock := lockFile(l.f)
	defer unlock()
	// A crash may have left a partial last line: start on a new line so the damage stays there.
	if torn, err := endsMidLine(l.f); err != nil {
		return fmt.Errorf("audit trail: %w", err)
	} else if torn {
		line = append([]byte{'\n'}, line...)
	}
	n, err := l.f.Write(line)
	if err == nil && n != len(line) {
		err = io.ErrShortWrite
	}
	if err != nil {
		return fmt.Errorf("audit trail: writing %s: %w", l.path, err)
	}
	if err := l.f.Sync(); err != nil {
		return fmt.Errorf("audit trail: syncing %s: %w", l.path, err)
	}
	return nil
}

// Close closes the file. Append after Close returns ErrClosed.
func (l *Log) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return nil
	}
	err := l.f.Close()
	l.f = nil
	return err
}

// endsMidLine reports whether the file is non-empty and its last byte is not a newline.
func endsMidLine(f *os.File) (bool, error) {
	fi, err := f.Stat()
	if err != nil {
		return false, err
	}
	if fi.Size() == 0 {
		return false, nil
	}
	// The file is opened write-only; read the last byte through a second, read-only handle
	// that does not follow a symbolic link put in the file's place since.
	r, err := os.OpenFile(f.Name(), os.O_RDONLY|noFollow, 0)
	if err != nil {
		return false, err
	}
	defer r.Close()
	var last [1]byte
	if _, err := r.ReadAt(last[:], fi.Size()-1); err != nil {
		return false, err
	}
	return last[0] != '\n', nil
}

func symlinkError(path string) error {
	return fmt.Errorf("audit trail: %s is a symbolic link, and shcr does not write through one: run rm %s", path, shellQuote(path))
}

// shellQuote quotes a path for a one-line fix when the shell would split or expand it.
func shellQuote(p string) string {
	for _, r := range p {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("/._-+~:@,", r)) {
			return "'" + strings.ReplaceAll(p, "'", `'\''`) + "'"
		}
	}
	return p
}

func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
}
