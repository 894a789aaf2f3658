package version

import (
	"runtime/debug"
	"testing"
)

func TestGet(t *testing.T) {
	bi := &debug.BuildInfo{Main: debug.Module{Version: "v0.9.0"}, Settings: []debug.BuildSetting{
		{Key: "vcs.revision", Value: "feedface"}, {Key: "vcs.time", Value: "2026-01-02T03:04:05Z"}}}
	tests := []struct {
		name                  string
		version, commit, date string
		bi                    *debug.BuildInfo
		want                  string
	}{
		{"ldflags win", "v1.2.3", "abc1234", "2026-12-04T15:00:00Z", bi, "v1.2.3 (commit abc1234, built 2026-12-04T15:00:00Z)"},
		{"build info", "", "", "", bi, "v0.9.0 (commit feedface, built 2026-01-02T03:04:05Z)"},
		{"devel build", "", "", "", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, "dev"},
		{"no build info", "", "", "", nil, "dev"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			oldV, oldC, oldD, oldR := Version, Commit, Date, readBuildInfo
			t.Cleanup(func() { Version, Commit, Date, readBuildInfo = oldV, oldC, oldD, oldR })
			Version, Commit, Date = tt.version, tt.commit, tt.date
			readBuildInfo = func() (*debug.BuildInfo, bool) { return tt.bi, tt.bi != nil }
			if got := Long(); got != tt.want {
				t.Errorf("Long() = %q, want %q", got, tt.want)
			}
		})
	}
}
