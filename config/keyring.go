package config

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/zalando/go-keyring"
)

// KeyringService is the service name shcr's secrets are stored under in the OS keyring
// (macOS Keychain, Windows Credential Manager, the Secret Service on Linux).
const KeyringService = "shcr"

// DefaultKeyringTimeout bounds one call into the OS keyring: some keyrings hang (a locked
// Secret Service waiting for a prompt nobody sees).
const DefaultKeyringTimeout = 3 * time.Second

// ErrSecretNotFound is returned by Keyring.Get when nothing is stored under the key.
var ErrSecretNotFound = errors.New("not found in the keyring")

// ErrKeyringTimeout is the cause recorded when the OS keyring did not answer in time.
var ErrKeyringTimeout = errors.New("the system keyring did not answer in time")

// Keyring keeps secrets (tokens) in the OS keyring under KeyringService. Where no keyring is
// available (headless Linux without a Secret Service, a keyring that hangs or refuses), it
// keeps them in this process's memory only, never on disk, and says so once (Notice).
// A Keyring is safe for concurrent use.
type Keyring struct {
	timeout time.Duration

	osMu sync.Mutex // serialises calls into the OS keyring (go-keyring's providers are not all safe)

	mu       sync.Mutex
	mem      map[string]string // used once fallback != nil
	fallback error             // why the OS keyring is not used; nil while it works
	tooBig   error             // set when a secret was too big for the OS keyring
	told     bool              // Notice has returned its message
}

// NewKeyring returns a keyring wrapper whose OS calls give up after timeout
// (DefaultKeyringTimeout when 0 or less).
func NewKeyring(timeout time.Duration) *Keyring {
	if timeout <= 0 {
		timeout = DefaultKeyringTimeout
	}
	return &Keyring{timeout: timeout, mem: map[string]string{}}
}

// NewMemoryKeyring returns a keyring that never touches the OS keyring (for --no-keyring
// and the demo): secrets live in memory for this process only. It gives no Notice.
func NewMemoryKeyring() *Keyring {
	k := NewKeyring(0)
	k.fallback = errors.New("the system keyring is not used")
	k.told = true
	return k
}

// InMemory reports whether secrets are being kept in memory only.
func (k *Keyring) InMemory() bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.fallback != nil
}

// Notice returns, once, a sentence telling the user that no keyring is available and sign-ins
// last only until shcr exits; it returns "" while the keyring works and on later calls.
func (k *Keyring) Notice() string {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.told {
		return ""
	}
	switch {
	case k.fallback != nil:
		k.told = true
		return fmt.Sprintf("No system keyring is available (%v): sign-ins are kept in memory and last until shcr exits.", k.fallback)
	case k.tooBig != nil:
		k.told = true
		return "A sign-in was too big for the system keyring: it is kept in memory and lasts until shcr exits."
	}
	return ""
}

// Get returns the secret stored under key, or an error wrapping ErrSecretNotFound.
func (k *Keyring) Get(key string) (string, error) {
	if v, ok, onlyMem := k.memGet(key); ok || onlyMem {
		if !ok {
			return "", ErrSecretNotFound
		}
		return v, nil
	}
	var v string
	err := k.call(func() error {
		var err error
		v, err = keyring.Get(KeyringService, key)
		return err
	})
	switch {
	case err == nil:
		return v, nil
	case errors.Is(err, keyring.ErrNotFound):
		return "", ErrSecretNotFound
	default:
		k.fallBack(err)
		return k.Get(key)
	}
}

// Set stores secret under key, replacing what was there. A secret too big for the OS
// keyring (Windows Credential Manager holds 2,560 bytes) is kept in memory alone; a keyring
// that fails sends every secret to memory from then on. Either way it says so (Notice).
func (k *Keyring) Set(key, secret string) error {
	if k.InMemory() {
		k.memSet(key, secret)
		return nil
	}
	err := k.call(func() error { return keyring.Set(KeyringService, key, secret) })
	switch {
	case err == nil:
		k.mu.Lock()
		delete(k.mem, key) // an earlier too-big value is superseded
		k.mu.Unlock()
		return nil
	case errors.Is(err, keyring.ErrSetDataTooBig):
		// Do not leave an older value behind in the OS keyring for the next process.
		_ = k.call(func() error { return keyring.Delete(KeyringService, key) })
		k.mu.Lock()
		k.mem[key] = secret
		if k.tooBig == nil {
			k.tooBig = err
		}
		k.mu.Unlock()
		return nil
	default:
		k.fallBack(err)
		k.memSet(key, secret)
		return nil
	}
}

// Delete removes what is stored under key; removing a missing key is not an error.
func (k *Keyring) Delete(key string) error {
	k.mu.Lock()
	delete(k.mem, key)
	inMem := k.fallback != nil
	k.mu.Unlock()
	if inMem {
		return nil
	}
	err := k.call(func() error { return keyring.Delete(KeyringService, key) })
	if err == nil || errors.Is(err, keyring.ErrNotFound) {
		return nil
	}
	k.fallBack(err)
	return nil
}

// DeleteAll removes every secret shcr has stored (sign out of everything at the end of a
// shift on a shared PC).
func (k *Keyring) DeleteAll() error {
	k.mu.Lock()
	clear(k.mem)
	inMem := k.fallback != nil
	k.mu.Unlock()
	if inMem {
		return nil
	}
	err := k.call(func() error { return keyring.DeleteAll(KeyringService) })
	if err == nil || errors.Is(err, keyring.ErrNotFound) {
		return nil
	}
	k.fallBack(err)
	return nil
}

// call runs f against the OS keyring with the timeout. A call that times out is left to
// finish on its own; the caller falls back to memory.
func (k *Keyring) call(f func() error) error {
	done := make(chan error, 1)
	go func() {
		k.osMu.Lock()
		defer k.osMu.Unlock()
		done <- f()
	}()
	t := time.NewTimer(k.timeout)
	defer t.Stop()
	select {
	case err := <-done:
		return err
	case <-t.C:
		return ErrKeyringTimeout
	}
}

func (k *Keyring) fallBack(cause error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.fallback == nil {
		k.fallback = cause
	}
}

// memGet looks in memory; onlyMem reports that the OS keyring is not in use.
func (k *Keyring) memGet(key string) (v string, ok, onlyMem bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	v, ok = k.mem[key]
	return v, ok, k.fallback != nil
}

func (k *Keyring) memSet(key, secret string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.mem[key] = secret
}
