//go:build unix

package auth

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fsnotify/fsnotify"
)

// TestOpenBrowserUsesBROWSER runs $BROWSER (a script recording its arguments) with the URL.
func TestOpenBrowserUsesBROWSER(t *testing.T) {
	dir := t.TempDir()
	script := filepath.Join(dir, "browser.sh")
	got := filepath.Join(dir, "got")
	if err := os.WriteFile(script, []byte("#!/bin/sh\nprintf '%s\\n' \"$@\" > "+got+".tmp && mv "+got+".tmp "+got+"\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	// The browser runs on its own: the test waits for its file to appear in dir.
	watch, err := fsnotify.NewWatcher()
	if err != nil {
		t.Fatal(err)
	}
	defer watch.Close()
	if err := watch.Add(dir); err != nil {
		t.Fatal(err)
	}
	const u = "http://127.0.0.1:1/auth?client_id=shcr&state=abc"
	for _, tc := range []struct{ browser, want string }{
		{script, u + "\n"},
		{script + " --new-window", "--new-window\n" + u + "\n"},
		{script + " --url=%s:firefox", "--url=" + u + "\n"},
	} {
		_ = os.Remove(got)
		if err := OpenBrowser(u, testEnv("BROWSER", tc.browser)); err != nil {
			t.Fatal(err)
		}
		var data []byte
		deadline := time.After(5 * time.Second)
	wait:
		for {
			if b, err := os.ReadFile(got); err == nil {
				data = b
				break
			}
			select {
			case <-watch.Events:
			case err := <-watch.Errors:
				t.Fatal(err)
			case <-deadline:
				break wait
			}
		}
		if string(data) != tc.want {
			t.Errorf("BROWSER=%q ran with %q, want %q", tc.browser, data, tc.want)
		}
	}
	if err := OpenBrowser(u, testEnv("BROWSER", filepath.Join(dir, "missing"))); err == nil || !strings.Contains(err.Error(), "missing") {
		t.Fatalf("missing browser: %v", err)
	}
}
