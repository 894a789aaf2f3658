package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/adrg/xdg"
)

// Where shcr keeps its files follows each operating system's conventions, as
// github.com/adrg/xdg knows them (not rules of our own):
//
//	           config (config.yaml)                 state (audit.jsonl)
//	Linux, BSD $XDG_CONFIG_HOME/shcr                 $XDG_STATE_HOME/shcr
//	           else ~/.config/shcr                   else ~/.local/state/shcr
//	macOS      ~/Library/Application Support/shcr    ~/Library/Application Support/shcr
//	Windows    %LOCALAPPDATA%\shcr                   %LOCALAPPDATA%\shcr
//
// An XDG variable that is set to an absolute path wins everywhere; a relative one is
// ignored, as the XDG base directory specification says.
//
// adrg/xdg reads the process environment when it is loaded; shcr re-reads it on every call
// (xdg.Reload), and takes the XDG variables and HOME from the command's own environment
// (getenv: the process's, or the one a test gives run()): an absolute XDG variable there is
// used as it is, and the library's default is moved under that HOME.

// ConfigDir is shcr's configuration directory.
func ConfigDir(getenv func(string) string) (string, error) {
	return baseDir(getenv, "XDG_CONFIG_HOME", func() string { return xdg.ConfigHome })
}

// StateDir is shcr's state directory (the audit trail).
func StateDir(getenv func(string) string) (string, error) {
	return baseDir(getenv, "XDG_STATE_HOME", func() string { return xdg.StateHome })
}

// ErrNoHome is returned when neither the XDG variable nor a home directory is known.
var ErrNoHome = errors.New("no home directory")

var xdgMu sync.Mutex // xdg.Reload sets package variables

func baseDir(getenv func(string) string, variable string, fromXDG func() string) (string, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	if d := getenv(variable); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "shcr"), nil
	}
	xdgMu.Lock()
	xdg.Reload()
	dir, libHome := fromXDG(), xdg.Home
	xdgMu.Unlock()
	// The library read the process's HOME; the command's may differ (tests give their own):
	// the same place under that home.
	if home := getenv("HOME"); home != "" && filepath.IsAbs(home) && libHome != "" && home != libHome {
		if rel, err := filepath.Rel(libHome, dir); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			dir = filepath.Join(home, rel)
		}
	}
	if dir == "" || !filepath.IsAbs(dir) {
		return "", ErrNoHome
	}
	return filepath.Join(dir, "shcr"), nil
}
