package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
)

// writeConfig writes a config with two back ends under the test environment's
// XDG_CONFIG_HOME (the default path) and returns its path.
func writeBackendsConfig(t *testing.T, env []string) string {
	t.Helper()
	dir := filepath.Join(envValue(env, "XDG_CONFIG_HOME"), "shcr")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "config.yaml")
	cfg := `backends:
  - name: regional
    kind: fhir-r4
    url: https://regional.example.nhs.uk/fhir
    domain: health
  - name: council
    kind: fhir-r4
    url: https://council.example.gov.uk/fhir
    domain: social-care
`
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// completions runs cobra's hidden __complete command and returns the offered values
// (without the trailing ":directive" line and cobra's notes).
func completions(t *testing.T, env []string, args ...string) []string {
	t.Helper()
	r := shcr(t, env, append([]string{"__complete"}, args...)...)
	if r.code != 0 {
		t.Fatalf("__complete %v: %s", args, r)
	}
	var out []string
	for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		if line == "" || strings.HasPrefix(line, ":") {
			continue
		}
		v, _, _ := strings.Cut(line, "\t")
		out = append(out, v)
	}
	return out
}

func TestCompletionValues(t *testing.T) {
	env := testEnv(t)
	writeBackendsConfig(t, env)
	tests := []struct {
		name string
		args []string
		want []string // exactly these, in this order
	}{
		{"roles", []string{"get", "--role", ""}, []string{"discharge", "social-worker", "dispatcher"}},
		{"vocabularies", []string{"--vocabulary", ""}, []string{"health", "social-care"}},
		{"purposes", []string{"get", "--purpose", ""}, []string{"direct-care", "safeguarding", "emergency", "other:"}},
		{"output formats", []string{"get", "--output", ""}, []string{"text", "json", "md"}},
		{"start tabs", []string{"--tab", ""}, []string{"summary", "care-packages", "care-team", "medications", "allergies", "next-of-kin", "encounters", "notes"}},
		{"back ends from config", []string{"login", ""}, []string{"regional", "council"}},
		{"second section after a comma", []string{"get", "--section", "next-of-kin,al"}, []string{"next-of-kin,allergies", "next-of-kin,alerts", "next-of-kin,all"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := completions(t, env, tt.args...)
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("__complete %v = %q, want %q", tt.args, got, tt.want)
			}
		})
	}
	t.Run("sections", func(t *testing.T) {
		got := completions(t, env, "get", "--section", "")
		for _, name := range append(sectionNames(), "all") {
			if !strings.Contains("|"+strings.Join(got, "|")+"|", "|"+name+"|") {
				t.Errorf("--section completion %q lacks %q", got, name)
			}
		}
	})
}

func TestCompletionScripts(t *testing.T) {
	env := testEnv(t)
	for _, shell := range []string{"bash", "zsh", "fish", "powershell"} {
		r := shcr(t, env, "completion", shell)
		if r.code != 0 || !strings.Contains(r.stdout, "shcr") || len(r.stdout) < 500 {
			t.Errorf("shcr completion %s: %s", shell, r)
		}
	}
}

func TestManPage(t *testing.T) {
	env := testEnv(t)
	r := shcr(t, env, "man")
	if r.code != 0 {
		t.Fatalf("shcr man: %s", r)
	}
	for _, want := range []string{".TH \"SHCR\" \"1\"", ".SH NAME", "shcr-get(1)", "shcr-audit(1)", "--vocabulary"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("shcr man lacks %q:\n%s", want, r.stdout)
		}
	}
	dir := t.TempDir()
	if r := shcr(t, env, "man", dir); r.code != 0 {
		t.Fatalf("shcr man DIR: %s", r)
	}
	for _, page := range []string{"shcr.1", "shcr-get.1", "shcr-audit.1", "shcr-version.1"} {
		b, err := os.ReadFile(filepath.Join(dir, page))
		if err != nil || !strings.HasPrefix(string(b), ".nh") && !strings.Contains(string(b), ".TH") {
			t.Errorf("%s: %v %.80q", page, err, b)
		}
	}
}

func TestVersionLdflagsAndBuildInfo(t *testing.T) {
	env := testEnv(t)
	// The test binary is built without ldflags: the version comes from the build info,
	// "dev" when it has none (a build outside a clean checkout), else the module's pseudo
	// version with the commit and its time (a clean clone, as CI builds it).
	plain := regexp.MustCompile(`^shcr (dev|v\S+ \(commit [0-9a-f]{7,}, built \S+\))\n$`)
	for _, args := range [][]string{{"version"}, {"--version"}} {
		if r := shcr(t, env, args...); r.code != 0 || !plain.MatchString(r.stdout) {
			t.Errorf("shcr %v (plain build): %s", args, r)
		}
	}

	// A release build: goreleaser's -X flags, with go.mod's module path.
	linked := filepath.Join(t.TempDir(), "shcr-linked")
	if runtime.GOOS == "windows" {
		linked += ".exe"
	}
	const pkg = "github.com/shcr-project/shcr/internal/version"
	ldflags := "-X " + pkg + ".Version=v9.8.7 -X " + pkg + ".Commit=0123abcd -X " + pkg + ".Date=2026-12-04T15:00:00Z"
	build := exec.Command("go", "build", "-ldflags", ldflags, "-o", linked, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build -ldflags: %v\n%s", err, out)
	}
	want := "shcr v9.8.7 (commit 0123abcd, built 2026-12-04T15:00:00Z)\n"
	for _, args := range [][]string{{"version"}, {"--version"}} {
		cmd := exec.Command(linked, args...)
		cmd.Env = env
		out, err := cmd.Output()
		if err != nil || string(out) != want {
			t.Errorf("shcr %v (ldflags build) = %q, %v; want %q", args, out, err, want)
		}
	}
}
