//go:build unix

package main

import (
	"os"
	"path/filepath"
	"testing"
)

// TestConfigWritableByOthersRefused: as a real process, a config file anyone can write is
// refused before anything else happens, with the fix in one line.
func TestConfigWritableByOthersRefused(t *testing.T) {
	t.Parallel() // runs the binary with its own home, config and state
	env := testEnv(t)
	path := filepath.Join(envValue(env, "XDG_CONFIG_HOME"), "shcr", "config.yaml")
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("role: discharge\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o666); err != nil {
		t.Fatal(err)
	}
	r := shcr(t, env, "get", "9434765919")
	if want := "config " + path + " is writable by others: run chmod go-w " + path + "\n"; r.code != 2 || r.stderr != want || r.stdout != "" {
		t.Errorf("want exit 2 and exactly\n%s%s", want, r)
	}
}
