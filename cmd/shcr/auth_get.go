package main

import (
	"context"
	"fmt"

	"golang.org/x/oauth2"

	"github.com/shcr-project/shcr/client/auth"
)

// signInForGet signs in, one back end after another, to each back end that needs a person
// to sign in (the prompt — device code or browser address — goes to stderr), and returns
// the token sources for the federation. A back end whose sign-in did not complete is not
// asked (its source gives the reason, which shcr get names at the end, exit 4) and the
// others go on. With --no-login nobody is signed in: such a back end is not asked, and the
// reason says how to sign in.
func (a *app) signInForGet(ctx context.Context, m *auth.Manager, noLogin bool) (func(string) oauth2.TokenSource, error) {
	failed := map[string]error{}
	for _, name := range m.Backends() {
		if !m.NeedsLogin(name) {
			continue
		}
		if noLogin {
			failed[name] = &auth.SignInError{Backend: name,
				Reason: fmt.Sprintf("not signed in, and --no-login was given: run `shcr login %s` first", name)}
			continue
		}
		id, err := m.Login(ctx, name)
		if ctx.Err() != nil {
			return nil, exitf(exitFailure, "shcr get: interrupted")
		}
		if err != nil {
			a.log.Info("get: sign-in did not complete", "backend", name)
			failed[name] = err
			continue
		}
		fmt.Fprintf(a.stderr, "Signed in to %s as %s.\n", name, id)
	}
	return func(name string) oauth2.TokenSource {
		if err, ok := failed[name]; ok {
			return failedSource{err}
		}
		return m.TokenSource(name)
	}, nil
}

// failedSource is a back end's token source after its sign-in did not complete: it gives
// the reason (wrapping client.ErrSignInRequired, so the back end is "not queried") and
// never prompts again.
type failedSource struct{ err error }

func (f failedSource) Token() (*oauth2.Token, error) { return nil, f.err }
