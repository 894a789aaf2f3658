package config

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// TestMain takes group and world write permission off the test configs before any test
// reads them: Load refuses a config others can write, and a checkout made with umask 002
// leaves files 0664. (git records only the executable bit, so this changes nothing it
// tracks.) Tests of the refusal make their own files with the modes they need.
func TestMain(m *testing.M) {
	_ = filepath.WalkDir("testdata", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		if fi, err := d.Info(); err == nil && fi.Mode().Perm()&0o022 != 0 {
			_ = os.Chmod(path, fi.Mode().Perm()&^0o022)
		}
		return nil
	})
	os.Exit(m.Run())
}
