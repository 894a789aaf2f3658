//go:build unix

package audit

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestOpenRefusesUnsafePlaces: the audit trail is never written through a symbolic link or
// into a directory another user could use to swap it; the link's target is left untouched.
func TestOpenRefusesUnsafePlaces(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(t *testing.T, dir, path string) (target string)
		want  string // the whole error; DIR and PATH stand for the directory and file
	}{
		{"symlink to a file", func(t *testing.T, dir, path string) string {
			target := filepath.Join(t.TempDir(), "victim")
			mustWrite(t, target, "precious\n", 0o644)
			mustSymlink(t, target, path)
			return target
		}, "audit trail: PATH is a symbolic link, and shcr does not write through one: run rm PATH"},
		{"dangling symlink", func(t *testing.T, dir, path string) string {
			target := filepath.Join(t.TempDir(), "would-be-created")
			mustSymlink(t, target, path)
			return target
		}, "audit trail: PATH is a symbolic link, and shcr does not write through one: run rm PATH"},
		{"symlink to /dev/null", func(t *testing.T, dir, path string) string {
			mustSymlink(t, os.DevNull, path)
			return ""
		}, "audit trail: PATH is a symbolic link, and shcr does not write through one: run rm PATH"},
		{"a FIFO", func(t *testing.T, dir, path string) string {
			if err := syscall.Mkfifo(path, 0o600); err != nil {
				t.Fatal(err)
			}
			return ""
		}, "audit trail: PATH is not a regular file"},
		{"directory 0777", func(t *testing.T, dir, path string) string { mustChmod(t, dir, 0o777); return "" },
			"audit trail: directory DIR is writable by others: run chmod go-w DIR"},
		{"directory 0770", func(t *testing.T, dir, path string) string { mustChmod(t, dir, 0o770); return "" },
			"audit trail: directory DIR is writable by others: run chmod go-w DIR"},
		{"directory 1777, sticky as /tmp is", func(t *testing.T, dir, path string) string {
			mustChmod(t, dir, 0o777|os.ModeSticky)
			return ""
		}, "audit trail: directory DIR is writable by others: run chmod go-w DIR"},
		{"directory owned by another user", func(t *testing.T, dir, path string) string {
			if os.Geteuid() != 0 {
				t.Log("not root: cannot chown; checking the refusal of a 0777 directory instead")
				mustChmod(t, dir, 0o777)
				return ""
			}
			if err := os.Chown(dir, 4242, 4242); err != nil {
				t.Fatal(err)
			}
			return ""
		}, "audit trail: directory DIR is owned by another user (uid 4242): set XDG_STATE_HOME to a directory of your own"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "shcr")
			if err := os.Mkdir(dir, 0o700); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, "audit.jsonl")
			target := tc.setup(t, dir, path)
			want := strings.NewReplacer("PATH", path, "DIR", dir).Replace(tc.want)
			if os.Geteuid() != 0 && strings.Contains(tc.name, "another user") {
				want = strings.NewReplacer("PATH", path, "DIR", dir).Replace("audit trail: directory DIR is writable by others: run chmod go-w DIR")
			}
			l, err := Open(path, Options{OSUser: "tester"})
			if err == nil {
				l.Append(Event{Event: RecordOpened, NHSNumber: "9434765919"})
				l.Close()
				t.Fatalf("Open succeeded; want %q", want)
			}
			if err.Error() != want {
				t.Errorf("error\n got: %s\nwant: %s", err, want)
			}
			if target != "" {
				if data, err := os.ReadFile(target); err == nil && string(data) != "precious\n" {
					t.Errorf("the symlink's target was written: %q", data)
				} else if err != nil && !os.IsNotExist(err) {
					t.Error(err)
				} else if err == nil {
					if fi, _ := os.Stat(target); fi.Mode().Perm() != 0o644 {
						t.Errorf("the symlink's target changed mode: %v", fi.Mode().Perm())
					}
				}
				if strings.HasSuffix(target, "would-be-created") {
					if _, err := os.Lstat(target); !os.IsNotExist(err) {
						t.Errorf("a dangling symlink's target was created")
					}
				}
			}
		})
	}
}

// TestOpenCreatesPrivateFileAndDirectory: new directories 0700 and file 0600, whatever the umask.
func TestOpenCreatesPrivateFileAndDirectory(t *testing.T) {
	base := t.TempDir()
	path := filepath.Join(base, "state", "shcr", "audit.jsonl")
	l := openT(t, path, Options{OSUser: "tester"})
	appendT(t, l, Event{Event: RecordOpened, NHSNumber: "9434765919"})
	l.Close()
	for p, want := range map[string]os.FileMode{path: 0o600, filepath.Dir(path): 0o700, filepath.Dir(filepath.Dir(path)): 0o700} {
		fi, err := os.Lstat(p)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != want {
			t.Errorf("%s: mode %v, want %v", p, got, want)
		}
	}
}

func mustWrite(t *testing.T, path, text string, mode os.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), mode); err != nil {
		t.Fatal(err)
	}
	mustChmod(t, path, mode)
}

func mustSymlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
}

func mustChmod(t *testing.T, path string, mode os.FileMode) {
	t.Helper()
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}
