// Package version says which shcr this is. Releases (goreleaser) set all three at link time:
//
//	-ldflags "-X github.com/shcr-project/shcr/internal/version.Version=v1.2.3
//	          -X github.com/shcr-project/shcr/internal/version.Commit=abc1234
//	          -X github.com/shcr-project/shcr/internal/version.Date=2026-12-04T15:00:00Z"
//
// A `go install` build has none of them; the module's build info (debug.ReadBuildInfo)
// gives the module version and, when built from a checkout, vcs.revision and vcs.time.
package version

import (
	"runtime/debug"
	"strings"
)

// Set at link time by goreleaser; empty otherwise.
var (
	Version = ""
	Commit  = ""
	Date    = ""
)

// Info is what shcr knows about its own build.
type Info struct {
	Version string // "v1.2.3", or "dev"
	Commit  string // the git revision, or ""
	Date    string // the build (or commit) time, RFC 3339, or ""
}

// readBuildInfo is debug.ReadBuildInfo; tests replace it.
var readBuildInfo = debug.ReadBuildInfo

// Get returns the link-time values, each falling back to the build info, then to "dev"/"".
func Get() Info {
	in := Info{Version: Version, Commit: Commit, Date: Date}
	if bi, ok := readBuildInfo(); ok {
		if in.Version == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			in.Version = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				if in.Commit == "" {
					in.Commit = s.Value
				}
			case "vcs.time":
				if in.Date == "" {
					in.Date = s.Value
				}
			}
		}
	}
	if in.Version == "" {
		in.Version = "dev"
	}
	return in
}

// String returns the version alone: "v1.2.3", or "dev".
func String() string { return Get().Version }

// Long is one line for `shcr version` and `shcr --version`:
// "v1.2.3 (commit abc1234, built 2026-12-04T15:00:00Z)", or "dev" with what is known.
func Long() string {
	in := Get()
	var extra []string
	if in.Commit != "" {
		extra = append(extra, "commit "+in.Commit)
	}
	if in.Date != "" {
		extra = append(extra, "built "+in.Date)
	}
	if len(extra) == 0 {
		return in.Version
	}
	return in.Version + " (" + strings.Join(extra, ", ") + ")"
}

// UserAgent is what shcr sends to back ends.
func UserAgent() string { return "shcr/" + String() + " (+https://github.com/shcr-project/shcr)" }
