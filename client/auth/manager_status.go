package auth

import (
	"errors"
	"slices"

	"github.com/shcr-project/shcr/config"
)

// Logout forgets the back end's tokens (keyring and memory).
func (m *Manager) Logout(backend string) error {
	st, err := m.state(backend)
	if err != nil {
		return err
	}
	st.mu.Lock()
	st.sess, st.loaded = nil, true
	st.mu.Unlock()
	if err := m.sessions.remove(backend); err != nil {
		return err
	}
	m.o.Logger.Info("signed out", "backend", backend)
	return nil
}

// LogoutAll forgets every back end's tokens, and anything else shcr keeps in the keyring
// (end of shift on a shared PC).
func (m *Manager) LogoutAll() error {
	var errs []error
	for _, name := range m.order {
		if err := m.Logout(name); err != nil {
			errs = append(errs, err)
		}
	}
	if err := m.kr.DeleteAll(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// NeedsLogin reports whether the back end needs an interactive sign-in before it can be
// queried: a pkce or device back end with no valid session and no refresh token.
func (m *Manager) NeedsLogin(backend string) bool {
	st, ok := m.states[backend]
	if !ok {
		return false
	}
	switch st.b.Auth.Type {
	case config.AuthPKCE, config.AuthDevice:
	default:
		return false
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	s := m.loadLocked(st)
	return s == nil || (!s.validAt(m.o.Clock()) && s.RefreshToken == "")
}

// Status describes every configured back end's sign-in, in config order. No tokens.
func (m *Manager) Status() []BackendAuthStatus {
	out := make([]BackendAuthStatus, 0, len(m.order))
	for _, name := range m.order {
		st := m.states[name]
		a := st.b.Auth
		s := BackendAuthStatus{Backend: name, Type: a.Type}
		switch a.Type {
		case "", config.AuthNone:
			s.Type = config.AuthNone
			s.State = StateNotNeeded
		case config.AuthBearer:
			s.Detail = "token from $" + a.TokenEnv
			s.State = StateEnvMissing
			if a.TokenEnv != "" && m.o.Getenv(a.TokenEnv) != "" {
				s.State = StateEnvSet
			}
		case config.AuthClientCredentials:
			s.State = StateSystem
			s.Identity = Identity{System: true, ID: a.ClientID}
			if a.KeyFile != "" {
				s.Detail = "private_key_jwt"
			} else {
				s.Detail = "client secret from $" + a.ClientSecretEnv
			}
		case config.AuthPKCE, config.AuthDevice:
			st.mu.Lock()
			sess := m.loadLocked(st)
			switch {
			case sess == nil:
				s.State = StateSignedOut
			case sess.validAt(m.o.Clock()):
				s.State = StateSignedIn
			case sess.RefreshToken != "":
				s.State = StateRefreshable
			default:
				s.State = StateSignedOut
				s.Detail = "session expired"
			}
			if sess != nil {
				s.Identity = sess.Identity
				s.Expiry = sess.Expiry
			}
			st.mu.Unlock()
			s.InMemory = m.kr.InMemory()
		default:
			s.Detail = "unknown auth type"
			s.State = StateSignedOut
		}
		out = append(out, s)
	}
	return out
}

// SignedIn returns the member of staff signed in (to the first pkce/device back end, in
// config order, with a live or renewable session).
func (m *Manager) SignedIn() (Identity, bool) {
	for _, s := range m.Status() {
		if (s.State == StateSignedIn || s.State == StateRefreshable) && !s.Identity.IsZero() {
			return s.Identity, true
		}
	}
	return Identity{}, false
}

// User is who shcr acts for (GP Connect, the audit trail): the signed-in member of staff,
// completed from the config's user block; the config's user when nobody is signed in.
func (m *Manager) User() config.User {
	if id, ok := m.SignedIn(); ok {
		return id.User(m.cfg.User)
	}
	return m.cfg.User
}

// supportsS256 reports whether PKCE S256 is offered (or the server does not say).
func supportsS256(ep Endpoints) bool {
	return len(ep.CodeChallengeMethods) == 0 || slices.Contains(ep.CodeChallengeMethods, "S256")
}
