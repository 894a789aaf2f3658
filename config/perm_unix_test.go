//go:build unix

package config

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	yaml "go.yaml.in/yaml/v3"
)

const withSecret = "backends:\n  - name: a\n    kind: fhir-r4\n    url: https://a.example.org/fhir\n    domain: health\n" +
	"    auth:\n      type: client-credentials\n      issuer: https://auth.example.org\n      client_id: shcr\n      client_secret_env: SHCR_SECRET\n"

const noSecret = "role: discharge\n"

// TestConfigFileModes: a config file others can write is refused with the fix in one line;
// one others can read is accepted, with a warning when it refers to secrets.
func TestConfigFileModes(t *testing.T) {
	for _, tc := range []struct {
		name    string
		mode    os.FileMode
		text    string
		refuse  bool
		warning bool
	}{
		{"0600 with a secret", 0o600, withSecret, false, false},
		{"0640 with a secret", 0o640, withSecret, false, true},
		{"0644 with a secret", 0o644, withSecret, false, true},
		{"0644 without a secret", 0o644, noSecret, false, false},
		{"0604 with a secret", 0o604, withSecret, false, true},
		{"0664", 0o664, noSecret, true, false},
		{"0666", 0o666, withSecret, true, false},
		{"0602", 0o602, noSecret, true, false},
		{"0620", 0o620, noSecret, true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "config.yaml")
			write(t, path, tc.text)
			if err := os.Chmod(path, tc.mode); err != nil {
				t.Fatal(err)
			}
			var warnings []string
			_, err := Load(Options{File: path, Getenv: env(nil), Warn: func(s string) { warnings = append(warnings, s) }})
			if tc.refuse {
				want := "config " + path + " is writable by others: run chmod go-w " + path
				if err == nil || err.Error() != want {
					t.Fatalf("got %v\nwant %s", err, want)
				}
				return
			}
			if err != nil {
				t.Fatalf("refused: %v", err)
			}
			if !tc.warning {
				if len(warnings) != 0 {
					t.Errorf("unexpected warnings %q", warnings)
				}
				return
			}
			want := "config " + path + " is readable by others and refers to secrets (backends[0].auth.client_secret_env): run chmod go-r " + path
			if len(warnings) != 1 || warnings[0] != want {
				t.Errorf("warnings %q\nwant one: %s", warnings, want)
			}
		})
	}
}

// TestSecretReferences: every way a config names a secret counts.
func TestSecretReferences(t *testing.T) {
	for _, tc := range []struct{ yaml, want string }{
		{"backends:\n  - auth:\n      token_env: SHCR_TOKEN\n", "backends[0].auth.token_env"},
		{"backends:\n  - auth:\n      key_file: ~/.config/shcr/key.pem\n", "backends[0].auth.key_file"},
		{"backends:\n  - tls:\n      key_file: /etc/shcr/client.key\n", "backends[0].tls.key_file"},
		{"backends:\n  - auth:\n      client_secret: hunter2\n", "backends[0].auth.client_secret"},
		{"backends:\n  - auth:\n      client_secret_keyring: shcr/council\n", "backends[0].auth.client_secret_keyring"},
		{"backends:\n  - auth:\n      assertion: keyring:shcr/desk\n", "backends[0].auth.assertion"},
		{"backends:\n  - auth:\n      token_env: \"\"\n      client_id: shcr\n", ""},
		{"role: discharge\n", ""},
	} {
		v := map[string]any{}
		var doc map[string]any
		if err := yaml.Unmarshal([]byte(tc.yaml), &doc); err != nil {
			t.Fatal(err)
		}
		for k, x := range doc {
			v[k] = x
		}
		if got := strings.Join(secretReferences(v), ", "); got != tc.want {
			t.Errorf("%q: got %q, want %q", tc.yaml, got, tc.want)
		}
	}
}

// TestConfigOwnedByAnotherUser: a file someone else owns is refused, even when its mode is
// right; one root owns is trusted (an administrator installed it). Changing a file's owner
// needs root, which the tests run as; as anyone else, only the first case can be set up.
func TestConfigOwnedByAnotherUser(t *testing.T) {
	dir := t.TempDir()
	mine := filepath.Join(dir, "mine.yaml")
	write(t, mine, noSecret)
	if _, err := Load(Options{File: mine, Getenv: env(nil)}); err != nil {
		t.Fatalf("own file refused: %v", err)
	}
	if os.Geteuid() != 0 {
		t.Log("not root: cannot chown a file to another user; owner refusal not exercised")
		return
	}
	theirs := filepath.Join(dir, "theirs.yaml")
	write(t, theirs, noSecret)
	if err := os.Chown(theirs, 4242, 4242); err != nil {
		t.Fatal(err)
	}
	_, err := Load(Options{File: theirs, Getenv: env(nil)})
	want := "config " + theirs + " is owned by another user (uid 4242): use a config file of your own"
	if err == nil || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}
	// A file root owns is what an administrator installs for everyone: trusted.
	if err := os.Chown(theirs, 0, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(Options{File: theirs, Getenv: env(nil)}); err != nil {
		t.Errorf("root-owned file refused: %v", err)
	}
}

// TestWritableRefusalQuotesPath: the one-line fix can be pasted into a shell as it is.
func TestWritableRefusalQuotesPath(t *testing.T) {
	path := filepath.Join(t.TempDir(), "my config's.yaml")
	write(t, path, noSecret)
	if err := os.Chmod(path, 0o666); err != nil {
		t.Fatal(err)
	}
	_, err := Load(Options{File: path, Getenv: env(nil)})
	want := "config " + path + ` is writable by others: run chmod go-w '` + strings.ReplaceAll(path, "'", `'\''`) + "'"
	if err == nil || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}
}

// TestConfigNotARegularFile: a FIFO is refused without blocking; a huge file is not read whole.
func TestConfigNotARegularFile(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo.yaml")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(Options{File: fifo, Getenv: env(nil)}); err == nil || err.Error() != "config "+fifo+": not a regular file" {
		t.Errorf("FIFO: %v", err)
	}
	big := filepath.Join(dir, "big.yaml")
	write(t, big, "role: discharge\n"+strings.Repeat("# padding\n", 120000))
	if _, err := Load(Options{File: big, Getenv: env(nil)}); err == nil || err.Error() != "config "+big+": larger than 1 MiB: not a config file" {
		t.Errorf("big file: %v", err)
	}
}
