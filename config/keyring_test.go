package config

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/zalando/go-keyring"
)

// These tests switch go-keyring's process-wide provider, so they do not run in parallel.

func TestKeyringStoresInOSKeyring(t *testing.T) {
	keyring.MockInit()
	k := NewKeyring(time.Second)

	if _, err := k.Get("a"); !errors.Is(err, ErrSecretNotFound) {
		t.Fatalf("Get on empty keyring: got %v, want ErrSecretNotFound", err)
	}
	if err := k.Set("a", "secret-1"); err != nil {
		t.Fatal(err)
	}
	// It really went to the (mock) OS keyring under the shcr service.
	if v, err := keyring.Get(KeyringService, "a"); err != nil || v != "secret-1" {
		t.Fatalf("OS keyring holds %q, %v; want secret-1", v, err)
	}
	if v, err := k.Get("a"); err != nil || v != "secret-1" {
		t.Fatalf("Get = %q, %v", v, err)
	}
	if err := k.Delete("a"); err != nil {
		t.Fatal(err)
	}
	if err := k.Delete("a"); err != nil {
		t.Fatalf("deleting a missing key: %v", err)
	}
	if _, err := k.Get("a"); !errors.Is(err, ErrSecretNotFound) {
		t.Fatalf("after Delete: %v", err)
	}
	if k.InMemory() || k.Notice() != "" {
		t.Fatal("a working keyring must not fall back or give a notice")
	}
}

func TestKeyringDeleteAll(t *testing.T) {
	keyring.MockInit()
	k := NewKeyring(time.Second)
	for _, key := range []string{"x", "y"} {
		if err := k.Set(key, "v"); err != nil {
			t.Fatal(err)
		}
	}
	if err := k.DeleteAll(); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"x", "y"} {
		if _, err := k.Get(key); !errors.Is(err, ErrSecretNotFound) {
			t.Fatalf("%s survived DeleteAll: %v", key, err)
		}
	}
}

func TestKeyringUnavailableFallsBackToMemoryOnce(t *testing.T) {
	keyring.MockInitWithError(errors.New("org.freedesktop.secrets was not provided by any .service files"))
	k := NewKeyring(time.Second)

	if err := k.Set("tok", "s3cr3t"); err != nil {
		t.Fatalf("Set must succeed in memory: %v", err)
	}
	if !k.InMemory() {
		t.Fatal("want in-memory mode")
	}
	if v, err := k.Get("tok"); err != nil || v != "s3cr3t" {
		t.Fatalf("Get from memory = %q, %v", v, err)
	}
	n := k.Notice()
	if !strings.Contains(n, "No system keyring") || !strings.Contains(n, "until shcr exits") {
		t.Fatalf("notice = %q", n)
	}
	if strings.Contains(n, "s3cr3t") {
		t.Fatal("notice leaks the secret")
	}
	if again := k.Notice(); again != "" {
		t.Fatalf("notice given twice: %q", again)
	}
	if err := k.Delete("tok"); err != nil {
		t.Fatal(err)
	}
	if _, err := k.Get("tok"); !errors.Is(err, ErrSecretNotFound) {
		t.Fatalf("after Delete: %v", err)
	}

	// A second process (a new Keyring) finds nothing: memory is per process, nothing on disk.
	k2 := NewKeyring(time.Second)
	if _, err := k2.Get("tok"); !errors.Is(err, ErrSecretNotFound) {
		t.Fatalf("new process sees %v", err)
	}
}

func TestKeyringGetFailureFallsBack(t *testing.T) {
	keyring.MockInitWithError(errors.New("dbus: connection refused"))
	k := NewKeyring(time.Second)
	if _, err := k.Get("nothing"); !errors.Is(err, ErrSecretNotFound) {
		t.Fatalf("Get with no keyring: %v, want ErrSecretNotFound", err)
	}
	if !k.InMemory() || k.Notice() == "" {
		t.Fatal("want a fallback and a notice after a failed Get")
	}
}

func TestKeyringTooBigFallsBack(t *testing.T) {
	keyring.MockInitWithError(keyring.ErrSetDataTooBig)
	k := NewKeyring(time.Second)
	if err := k.Set("big", strings.Repeat("x", 5000)); err != nil {
		t.Fatal(err)
	}
	if v, _ := k.Get("big"); len(v) != 5000 {
		t.Fatalf("big secret lost: %d bytes", len(v))
	}
	// Only that secret went to memory; the keyring as a whole is still in use.
	if k.InMemory() {
		t.Fatal("one big secret must not switch everything to memory")
	}
	if n := k.Notice(); !strings.Contains(n, "too big for the system keyring") {
		t.Fatalf("notice = %q", n)
	}
	if k.Notice() != "" {
		t.Fatal("notice repeated")
	}
}

func TestKeyringSmallSecretReplacesBigOne(t *testing.T) {
	keyring.MockInitWithError(keyring.ErrSetDataTooBig)
	k := NewKeyring(time.Second)
	if err := k.Set("tok", "big"); err != nil {
		t.Fatal(err)
	}
	keyring.MockInit() // the next value fits
	if err := k.Set("tok", "small"); err != nil {
		t.Fatal(err)
	}
	if v, err := keyring.Get(KeyringService, "tok"); err != nil || v != "small" {
		t.Fatalf("OS keyring = %q, %v", v, err)
	}
	if v, _ := k.Get("tok"); v != "small" {
		t.Fatalf("Get = %q: the stale in-memory value won", v)
	}
}

func TestKeyringCallTimesOut(t *testing.T) {
	k := NewKeyring(20 * time.Millisecond)
	release := make(chan struct{})
	defer close(release)
	err := k.call(func() error { <-release; return nil })
	if !errors.Is(err, ErrKeyringTimeout) {
		t.Fatalf("hung keyring: got %v, want ErrKeyringTimeout", err)
	}
}

func TestMemoryKeyringNeverTouchesOS(t *testing.T) {
	keyring.MockInit()
	k := NewMemoryKeyring()
	if err := k.Set("a", "b"); err != nil {
		t.Fatal(err)
	}
	if _, err := keyring.Get(KeyringService, "a"); !errors.Is(err, keyring.ErrNotFound) {
		t.Fatalf("memory keyring wrote to the OS keyring: %v", err)
	}
	if k.Notice() != "" {
		t.Fatal("a chosen memory keyring needs no notice")
	}
}
