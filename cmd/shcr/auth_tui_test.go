package main

import (
	"context"
	"errors"
	"testing"

	"github.com/shcr-project/shcr/client/auth"
	"github.com/shcr-project/shcr/config"
	"github.com/shcr-project/shcr/internal/oidctest"
)

// The idle lock's unlock signs in again at a real provider: the same member of staff carries
// on; anyone else is refused and everybody is signed out.
func TestUnlockBySignIn(t *testing.T) {
	op := oidctest.Start(t)
	cfg := config.Config{Backends: []config.Backend{
		{Name: "open", Kind: config.KindFHIRR4, URL: "http://127.0.0.1:1/fhir"},
		op.DeviceBackend("council", "http://127.0.0.1:2/fhir", "social-care", "SECRET"),
	}}
	m := auth.NewManager(cfg, config.NewMemoryKeyring(), auth.Options{
		After:  oidctest.NoWait,
		Getenv: func(k string) string { return map[string]string{"SECRET": oidctest.DeviceSecret}[k] },
	})
	as := func(subject string) context.Context {
		return auth.WithPrompt(context.Background(), func(p auth.Prompt) {
			if err := op.ApproveAs(p.UserCode, subject); err != nil {
				t.Error(err)
			}
		})
	}
	if _, err := m.Login(as(oidctest.UserSubject), "council"); err != nil {
		t.Fatal(err)
	}
	unlock := unlockBySignIn(m, cfg)
	if err := unlock(as(oidctest.UserSubject)); err != nil {
		t.Fatalf("same member of staff: %v", err)
	}
	if id, ok := m.SignedIn(); !ok || id.Subject != oidctest.UserSubject {
		t.Fatalf("still signed in as %v %v", id, ok)
	}
	err := unlock(as("id2"))
	if !errors.Is(err, errOtherUser) {
		t.Fatalf("another member of staff: err = %v", err)
	}
	if id, ok := m.SignedIn(); ok {
		t.Fatalf("after another member of staff signed in at the lock, %s is still signed in", id)
	}
	if !m.NeedsLogin("council") {
		t.Fatal("council should need a sign-in again")
	}

	// With no back end that signs a person in, there is nothing to check.
	none := config.Config{Backends: cfg.Backends[:1]}
	if err := unlockBySignIn(auth.NewManager(none, nil, auth.Options{}), none)(context.Background()); err != nil {
		t.Fatal(err)
	}
}
