// Package version says which shcr this is. Releases set Version with
// -ldflags "-X github.com/shcr-project/shcr/internal/version.Version=v1.2.3".
package version

import "runtime/debug"

// Version is set at link time by goreleaser; "dev" otherwise.
var Version = "dev"

// String returns the link-time version, else the module version from `go install`, else "dev".
func String() string {
	if Version != "dev" {
		return Version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return Version
}

// UserAgent is what shcr sends to back ends.
func UserAgent() string { return "shcr/" + String() + " (+https://github.com/shcr-project/shcr)" }
