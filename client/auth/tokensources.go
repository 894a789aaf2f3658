package auth

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/shcr-project/shcr/client"
	"github.com/shcr-project/shcr/config"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// userSource serves pkce/device tokens.
type userSource struct {
	m  *Manager
	st *backendState
}

func (u userSource) Token() (*oauth2.Token, error) {
	tok, reason, err := u.m.cachedToken(u.st)
	if tok != nil || err != nil {
		return tok, err
	}
	if !u.m.o.Interactive {
		return nil, signInRequired(u.st.b.Name, reason, nil)
	}
	// Sign in now (shcr get): one at a time; a sign-in that finished while we waited counts.
	u.m.loginMu.Lock()
	defer u.m.loginMu.Unlock()
	if tok, _, err := u.m.cachedToken(u.st); tok != nil || err != nil {
		return tok, err
	}
	ctx, cancel := context.WithTimeout(u.m.o.Context, u.m.o.LoginTimeout+time.Minute)
	defer cancel()
	if _, err := u.m.loginLocked(ctx, u.st); err != nil {
		return nil, err
	}
	tok, reason, err = u.m.cachedToken(u.st)
	if tok == nil && err == nil {
		err = signInRequired(u.st.b.Name, reason, nil)
	}
	return tok, err
}

// cachedToken returns a valid token from the session (refreshing it when needed), or nil
// and the reason a sign-in is needed. A token inside the margin is refreshed once: callers
// waiting on st.mu meanwhile get the refreshed token, which is used until it expires even
// when the server made it shorter-lived than the margin; renewals are bounded and backed off
// (renew.go).
func (m *Manager) cachedToken(st *backendState) (*oauth2.Token, string, error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	s := m.loadLocked(st)
	if s == nil {
		return nil, "not signed in", nil
	}
	now := m.o.Clock()
	if s.validAt(now) || st.renew.justRenewed(s.AccessToken, s.Expiry, now) {
		return s.token(), "", nil
	}
	if s.RefreshToken == "" {
		return nil, "the session has expired", nil
	}
	// live: not expired yet, only inside the margin; usable if the refresh cannot happen.
	live := s.AccessToken != "" && now.Before(s.Expiry)
	if err := st.renew.begin(st.b.Name, now); err != nil {
		if live {
			return s.token(), "", nil
		}
		if errors.Is(err, ErrRefreshStorm) {
			m.o.Logger.Warn("refreshes stopped: tokens expire at once", "backend", st.b.Name, "per_minute", maxRenewalsPerMinute)
		}
		return nil, "", err
	}
	tok, err := m.refreshLocked(st, s)
	if err == nil {
		st.renew.succeeded(tok.AccessToken)
		return tok, "", nil
	}
	if errors.Is(err, errRefreshRefused) {
		// The refresh token is spent: forget the session; a new sign-in is needed.
		st.sess = nil
		_ = m.sessions.remove(st.b.Name)
		return nil, "the session has expired and could not be renewed", nil
	}
	if retryable(err) {
		st.renew.failed(now, err)
	}
	if live {
		return s.token(), "", nil
	}
	return nil, "", err
}

// envSource reads a bearer token from the environment on each call.
type envSource struct {
	m *Manager
	b config.Backend
}

func (e envSource) Token() (*oauth2.Token, error) {
	if e.b.Auth.TokenEnv == "" {
		return nil, fmt.Errorf("back end %s: auth type bearer needs token_env: %w", e.b.Name, ErrConfig)
	}
	v := e.m.o.Getenv(e.b.Auth.TokenEnv)
	if v == "" {
		return nil, signInRequired(e.b.Name, "$"+e.b.Auth.TokenEnv+" is not set", nil)
	}
	return &oauth2.Token{AccessToken: v, TokenType: "Bearer"}, nil
}

// ccSource fetches SMART Backend Services tokens (client credentials).
type ccSource struct {
	m  *Manager
	st *backendState
}

func (c ccSource) Token() (*oauth2.Token, error) {
	b := c.st.b
	ctx, cancel := context.WithTimeout(c.m.o.Context, 30*time.Second)
	defer cancel()
	if b.Auth.ClientID == "" {
		return nil, fmt.Errorf("back end %s: client-credentials needs client_id: %w", b.Name, ErrConfig)
	}
	ep, err := c.m.endpoints(ctx, c.st)
	if err != nil {
		return nil, err
	}
	cc := clientcredentials.Config{
		ClientID: b.Auth.ClientID,
		TokenURL: ep.Token,
		Scopes:   b.Auth.Scopes,
	}
	params := map[string][]string{}
	if b.Auth.Audience != "" {
		params["resource"] = []string{b.Auth.Audience}
	}
	switch {
	case b.Auth.KeyFile != "":
		c.st.mu.Lock()
		if c.st.key == nil {
			sk, err := loadSigningKey(b.Auth.KeyFile, b.Auth.Alg, b.Auth.KeyID)
			if err != nil {
				c.st.mu.Unlock()
				return nil, fmt.Errorf("back end %s: %w", b.Name, err)
			}
			c.st.key = &sk
		}
		sk := *c.st.key
		c.st.mu.Unlock()
		a, err := sk.assertion(b.Auth.ClientID, ep.Token, c.m.o.Clock())
		if err != nil {
			return nil, err
		}
		params["client_assertion_type"] = []string{ClientAssertionType}
		params["client_assertion"] = []string{a}
		cc.AuthStyle = oauth2.AuthStyleInParams
	case b.Auth.ClientSecretEnv != "":
		cc.ClientSecret = c.m.o.Getenv(b.Auth.ClientSecretEnv)
		if cc.ClientSecret == "" {
			return nil, fmt.Errorf("back end %s: $%s (client_secret_env) is not set: %w", b.Name, b.Auth.ClientSecretEnv, client.ErrSignInRequired)
		}
	default:
		return nil, fmt.Errorf("back end %s: client-credentials needs key_file (private_key_jwt) or client_secret_env: %w", b.Name, ErrConfig)
	}
	cc.EndpointParams = params
	start := time.Now()
	tok, err := cc.Token(c.m.httpCtx(ctx))
	if err != nil {
		err = tokenError(err)
		c.m.o.Logger.Info("client credentials refused", "backend", b.Name, "reason", errorKind(err))
		return nil, fmt.Errorf("back end %s: %w", b.Name, err)
	}
	c.m.o.Logger.Info("client credentials token", "backend", b.Name, "duration", time.Since(start))
	return tok, nil
}
