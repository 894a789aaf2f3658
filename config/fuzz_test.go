package config

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// FuzzLoad feeds arbitrary bytes to Load as a config file (written to a temporary file, no
// environment). Load must never panic; a config it accepts must validate again and hold
// only valid back ends; a config it rejects gives an *Error whose message is one line that
// starts with "config <file>: " or "config <file>:LINE:COL: " (it names the file). Seeds: testdata/fuzz/FuzzLoad/ (the
// golden good and bad configs and hostile YAML: anchors, tabs, NUL, multi-line keys…).
var namesFile = regexp.MustCompile(`^(:\d+(:\d+)?)?: `)

func FuzzLoad(f *testing.F) {
	f.Add([]byte("backends:\n  - name: a\n    kind: fhir-r4\n    url: https://x.example/fhir\n    domain: health\n"))
	f.Add([]byte("organisations:\n  \"706\": {name: London Borough of Islington, domain: social-care}\n  RR8: {name: Leeds, domain: health}\n"))
	f.Add([]byte("organisations:\n  - {code: 045, name: x, domain: social-care}\n  - code: \"a\\nb\"\n"))
	f.Add([]byte("organisations:\n  ? [a, b]\n  : x\n"))
	path := filepath.Join(f.TempDir(), "config.yaml")
	noEnv := func(string) string { return "" }
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		c, err := Load(Options{File: path, Getenv: noEnv})
		if err != nil {
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("error is %T, not *config.Error: %v", err, err)
			}
			msg := err.Error()
			if strings.ContainsAny(msg, "\n\r") {
				t.Fatalf("error is not one line: %q", msg)
			}
			if !namesFile.MatchString(strings.TrimPrefix(msg, "config "+path)) {
				t.Fatalf("error does not name the file: %q", msg)
			}
			return
		}
		if c.File != path {
			t.Fatalf("config read from %q says File %q", path, c.File)
		}
		if err := c.Validate(); err != nil {
			t.Fatalf("Load accepted a config that does not validate: %v", err)
		}
		names := map[string]bool{}
		for i, b := range c.Backends {
			if b.Name == "" || names[b.Name] {
				t.Fatalf("backends[%d]: empty or repeated name %q", i, b.Name)
			}
			names[b.Name] = true
			if strings.ContainsAny(b.Name, "\n\r") {
				t.Fatalf("backends[%d]: name with a line break %q", i, b.Name)
			}
			if b.Kind != KindFHIRR4 && b.Kind != KindGPConnect {
				t.Fatalf("backends[%d]: kind %q accepted", i, b.Kind)
			}
			if b.Domain != DomainHealth && b.Domain != DomainSocialCare {
				t.Fatalf("backends[%d]: domain %q accepted", i, b.Domain)
			}
			if err := checkURL(b.URL); err != nil || strings.ContainsAny(b.URL, "\n\r \t") {
				t.Fatalf("backends[%d]: URL %q accepted (%v)", i, b.URL, err)
			}
			if b.Timeout <= 0 || b.MaxEntries <= 0 {
				t.Fatalf("backends[%d]: timeout %v, max entries %d after defaults", i, b.Timeout, b.MaxEntries)
			}
		}
	})
}
