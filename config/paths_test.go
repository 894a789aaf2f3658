package config

import (
	"path/filepath"
	"runtime"
	"testing"
)

// TestBaseDirs: the XDG variables and HOME of the command's environment decide, on every
// call (not once at start), through adrg/xdg.
func TestBaseDirs(t *testing.T) {
	dir := t.TempDir()
	home := filepath.Join(dir, "home")
	tests := []struct {
		name              string
		env               map[string]string
		wantConfig, state string // "" : not checked on this OS
	}{
		{"XDG variables", map[string]string{"HOME": home, "XDG_CONFIG_HOME": filepath.Join(dir, "c"), "XDG_STATE_HOME": filepath.Join(dir, "s")},
			filepath.Join(dir, "c", "shcr"), filepath.Join(dir, "s", "shcr")},
		{"relative XDG variables are ignored", map[string]string{"HOME": home, "XDG_CONFIG_HOME": "rel/c", "XDG_STATE_HOME": "rel/s"},
			linuxOnly(filepath.Join(home, ".config", "shcr")), linuxOnly(filepath.Join(home, ".local", "state", "shcr"))},
		{"HOME alone", map[string]string{"HOME": home},
			linuxOnly(filepath.Join(home, ".config", "shcr")), linuxOnly(filepath.Join(home, ".local", "state", "shcr"))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			getenv := func(k string) string { return tt.env[k] }
			c, err := ConfigDir(getenv)
			if err != nil || tt.wantConfig != "" && c != tt.wantConfig {
				t.Errorf("ConfigDir = %q, %v; want %q", c, err, tt.wantConfig)
			}
			s, err := StateDir(getenv)
			if err != nil || tt.state != "" && s != tt.state {
				t.Errorf("StateDir = %q, %v; want %q", s, err, tt.state)
			}
			if p, err := DefaultPath(getenv); err != nil || p != filepath.Join(c, "config.yaml") {
				t.Errorf("DefaultPath = %q, %v", p, err)
			}
		})
	}

	// The process environment, changed after start (adrg/xdg read it when loaded).
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(dir, "later-config"))
	t.Setenv("XDG_STATE_HOME", filepath.Join(dir, "later-state"))
	if c, err := ConfigDir(nil); err != nil || c != filepath.Join(dir, "later-config", "shcr") {
		t.Errorf("ConfigDir(process env) = %q, %v", c, err)
	}
	if s, err := StateDir(nil); err != nil || s != filepath.Join(dir, "later-state", "shcr") {
		t.Errorf("StateDir(process env) = %q, %v", s, err)
	}
	t.Setenv("XDG_STATE_HOME", "")
	if s, err := StateDir(nil); err != nil || runtime.GOOS == "linux" && s != filepath.Join(home, ".local", "state", "shcr") {
		t.Errorf("StateDir(no XDG_STATE_HOME) = %q, %v", s, err)
	}
}

func linuxOnly(p string) string {
	if runtime.GOOS == "linux" {
		return p
	}
	return ""
}
