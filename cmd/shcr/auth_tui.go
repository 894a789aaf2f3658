package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/shcr-project/shcr/client/auth"
	"github.com/shcr-project/shcr/config"
)

// The auth side of the interface's sign-in hooks (tui.Options.SignIn, SignOut, Unlock).

// errOtherUser: at the idle lock, someone other than the member of staff who locked the
// screen signed in.
var errOtherUser = errors.New("a different member of staff signed in")

// signOutAll signs out of every back end and clears what shcr keeps in the keyring
// (shared PCs: the next member of staff signs in as themselves).
func signOutAll(m *auth.Manager) func() error {
	return m.LogoutAll
}

// unlockBySignIn is the idle lock's check: the person at the keyboard signs in again to the
// first back end that signs a person in (the prompt goes where ctx's auth.WithPrompt says).
// Only the member of staff who was signed in may carry on; anyone else is signed out of
// every back end and must start a session of their own. With no back end that signs a
// person in (the demo, system sign-ins only) there is nothing to check.
func unlockBySignIn(m *auth.Manager, cfg config.Config) func(context.Context) error {
	return func(ctx context.Context) error {
		name := ""
		for _, b := range cfg.Backends {
			if b.Auth.Type == config.AuthPKCE || b.Auth.Type == config.AuthDevice {
				name = b.Name
				break
			}
		}
		if name == "" {
			return nil
		}
		before, had := m.SignedIn()
		id, err := m.Login(ctx, name)
		if err != nil {
			return err
		}
		if had && !sameStaff(before, id) {
			if err := m.LogoutAll(); err != nil {
				return fmt.Errorf("%w (%s), and signing everyone out did not complete: %v", errOtherUser, id, err)
			}
			return fmt.Errorf("%w (%s): signed out of every back end; sign in as yourself", errOtherUser, id)
		}
		return nil
	}
}

// sameStaff reports whether two sign-ins are the same person: the same issuer and subject,
// or (across providers) the same staff identifier.
func sameStaff(a, b auth.Identity) bool {
	if a.Issuer != "" && a.Issuer == b.Issuer && a.Subject != "" {
		return a.Subject == b.Subject
	}
	return a.ID != "" && a.ID == b.ID
}
