package auth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"golang.org/x/oauth2"

	"github.com/shcr-project/shcr/config"
)

// DefaultScopes are asked for by pkce and device sign-ins whose config names none.
func DefaultScopes() []string { return []string{"openid", "profile", "offline_access"} }

// Manager signs in to the configured back ends and hands out their tokens. It is safe for
// concurrent use; one interactive sign-in runs at a time.
type Manager struct {
	cfg      config.Config
	kr       *config.Keyring
	sessions sessionStore
	o        Options
	tokenHC  *http.Client             // o.HTTPClient for token requests: see guardedClient
	states   map[string]*backendState // fixed after NewManager
	order    []string

	loginMu sync.Mutex // one interactive sign-in at a time (one terminal, one browser)
}

// backendState is what the Manager knows about one back end.
type backendState struct {
	b config.Backend

	mu     sync.Mutex
	loaded bool     // sess has been read from the keyring
	sess   *session // nil: not signed in
	ep     *Endpoints
	key    *signingKey
	source oauth2.TokenSource // built once
	renew  renewals           // pkce/device refreshes; guarded by mu

	ccMu    sync.Mutex // one client-credentials request at a time; guards ccTok, ccRenew
	ccTok   *oauth2.Token
	ccRenew renewals
}

// NewManager returns a Manager for cfg's back ends, keeping tokens in kr (nil: in memory for
// this process only).
func NewManager(cfg config.Config, kr *config.Keyring, opts Options) *Manager {
	opts.fill()
	if kr == nil {
		kr = config.NewMemoryKeyring()
	}
	m := &Manager{
		cfg:      cfg,
		kr:       kr,
		sessions: sessionStore{kr: kr},
		o:        opts,
		tokenHC:  guardedClient(opts.HTTPClient),
		states:   make(map[string]*backendState, len(cfg.Backends)),
	}
	for _, b := range cfg.Backends {
		if _, dup := m.states[b.Name]; dup {
			continue // config validation reports duplicates; keep the first
		}
		m.states[b.Name] = &backendState{b: b}
		m.order = append(m.order, b.Name)
	}
	return m
}

// Notice returns, once, the sentence saying no keyring is available (tokens are kept in
// memory until shcr exits); "" otherwise. Show it to the user when it is not empty.
func (m *Manager) Notice() string { return m.kr.Notice() }

// Backends lists the configured back ends that need some sign-in (type other than none), in
// config order.
func (m *Manager) Backends() []string {
	var out []string
	for _, name := range m.order {
		switch m.states[name].b.Auth.Type {
		case "", config.AuthNone:
		default:
			out = append(out, name)
		}
	}
	return out
}

func (m *Manager) state(name string) (*backendState, error) {
	st, ok := m.states[name]
	if !ok {
		return nil, fmt.Errorf("%q: %w", name, ErrUnknownBackend)
	}
	return st, nil
}

func (m *Manager) httpCtx(ctx context.Context) context.Context {
	return context.WithValue(ctx, oauth2.HTTPClient, m.tokenHC)
}

// TokenSource returns the back end's token source (the shape client.Options.Tokens wants),
// or nil when the back end needs no token (auth type none, or an unknown name).
//
// pkce/device: the stored token, refreshed silently when it has expired (the new tokens go
// back to the keyring); with no usable session it runs the sign-in itself when
// Options.Interactive, else returns an error wrapping client.ErrSignInRequired.
// client-credentials: a fresh assertion-signed (or secret) request whenever the last token
// expires. bearer: the environment variable, read on each call.
func (m *Manager) TokenSource(backend string) oauth2.TokenSource {
	st, ok := m.states[backend]
	if !ok {
		return nil
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.source != nil {
		return st.source
	}
	switch st.b.Auth.Type {
	case config.AuthBearer, config.AuthClientCredentials, config.AuthPKCE, config.AuthDevice:
		if st.b.URL != "" {
			// The token goes to the FHIR base with every request: never in the clear.
			if err := checkTransport(st.b.Name, "FHIR base URL", st.b.URL); err != nil {
				st.source = errSource{err}
				return st.source
			}
		}
	}
	switch st.b.Auth.Type {
	case config.AuthBearer:
		st.source = envSource{m: m, b: st.b}
	case config.AuthClientCredentials:
		st.source = ccCache{m: m, st: st}
	case config.AuthPKCE, config.AuthDevice:
		st.source = userSource{m: m, st: st}
	default:
		return nil
	}
	return st.source
}

// endpoints discovers (once) the back end's endpoints. Caller holds no lock.
func (m *Manager) endpoints(ctx context.Context, st *backendState) (Endpoints, error) {
	st.mu.Lock()
	if st.ep != nil {
		ep := *st.ep
		st.mu.Unlock()
		return ep, nil
	}
	st.mu.Unlock()
	a := st.b.Auth
	var ep Endpoints
	var err error
	if a.Type == config.AuthClientCredentials && a.TokenURL != "" {
		ep = Endpoints{Issuer: a.Issuer, Token: a.TokenURL, Source: "config", tokenSource: srcConfig}
		if st.b.URL != "" {
			err = checkTransport(st.b.Name, "FHIR base URL", st.b.URL)
		}
		if err == nil {
			err = vetEndpoints(st.b, ep)
		}
		if err != nil {
			m.o.Logger.Warn("sign-in endpoint refused", "backend", st.b.Name)
			return ep, err
		}
	} else {
		start := time.Now()
		ep, err = Discover(ctx, m.o.HTTPClient, st.b)
		m.o.Logger.Debug("auth discovery", "backend", st.b.Name, "source", ep.Source, "smart", ep.SMART,
			"duration", time.Since(start), "ok", err == nil, "refused", errors.Is(err, ErrUntrustedEndpoint))
		if err != nil {
			return ep, err
		}
	}
	st.mu.Lock()
	st.ep = &ep
	st.mu.Unlock()
	return ep, nil
}

// oauthConfig is the x/oauth2 configuration for a user sign-in.
func (m *Manager) oauthConfig(b config.Backend, ep Endpoints, redirect string) *oauth2.Config {
	scopes := b.Auth.Scopes
	if len(scopes) == 0 {
		scopes = DefaultScopes()
	}
	var secret string
	if b.Auth.ClientSecretEnv != "" {
		secret = m.o.Getenv(b.Auth.ClientSecretEnv)
	}
	// A public client sends its client_id in the body (RFC 6749 §2.3, §3.2.1); x/oauth2's
	// auto-detection would otherwise send every failing request twice.
	style := oauth2.AuthStyleAutoDetect
	if secret == "" {
		style = oauth2.AuthStyleInParams
	}
	return &oauth2.Config{
		ClientID:     b.Auth.ClientID,
		ClientSecret: secret,
		Endpoint: oauth2.Endpoint{
			AuthURL:       ep.Authorization,
			TokenURL:      ep.Token,
			DeviceAuthURL: ep.DeviceAuthorization,
			AuthStyle:     style,
		},
		RedirectURL: redirect,
		Scopes:      scopes,
	}
}

// audienceParams: audience (when set) goes as SMART aud and RFC 8707 resource; when unset
// and the back end is a SMART server, aud is the FHIR base.
func audienceParams(b config.Backend, ep Endpoints) []oauth2.AuthCodeOption {
	switch {
	case b.Auth.Audience != "":
		return []oauth2.AuthCodeOption{
			oauth2.SetAuthURLParam("aud", b.Auth.Audience),
			oauth2.SetAuthURLParam("resource", b.Auth.Audience),
		}
	case ep.SMART && b.URL != "":
		return []oauth2.AuthCodeOption{oauth2.SetAuthURLParam("aud", b.URL)}
	}
	return nil
}

// resourceParam: RFC 8707 resource on token requests, when audience is set.
func resourceParam(b config.Backend) []oauth2.AuthCodeOption {
	if b.Auth.Audience == "" {
		return nil
	}
	return []oauth2.AuthCodeOption{oauth2.SetAuthURLParam("resource", b.Auth.Audience)}
}

// tokenError turns an x/oauth2 error into a message without the response body (which a
// misbehaving server could fill with anything).
func tokenError(err error) error {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		status := 0
		if re.Response != nil {
			status = re.Response.StatusCode
		}
		code := errorCode(re.ErrorCode)
		msg := fmt.Sprintf("the sign-in server refused (HTTP %d", status)
		if code != "" {
			msg += ", " + code
		}
		msg += ")"
		if re.ErrorDescription != "" {
			msg += ": " + serverText(re.ErrorDescription)
		}
		return &refusedError{msg: msg, code: code, status: status}
	}
	return err
}

// refusedError is a token endpoint's refusal (an OAuth error response).
type refusedError struct {
	msg    string
	code   string
	status int
}

func (e *refusedError) Error() string { return serverText(e.msg) }

// Login runs the back end's configured sign-in (never another flow) and returns who is
// signed in. pkce prints/opens the browser address, device prints the code (through
// Options.Prompt or Options.Out); the tokens go to the keyring.
func (m *Manager) Login(ctx context.Context, backend string) (Identity, error) {
	st, err := m.state(backend)
	if err != nil {
		return Identity{}, err
	}
	m.loginMu.Lock()
	defer m.loginMu.Unlock()
	return m.loginLocked(ctx, st)
}

func (m *Manager) loginLocked(ctx context.Context, st *backendState) (Identity, error) {
	b := st.b
	switch b.Auth.Type {
	case "", config.AuthNone:
		return Identity{}, nil
	case config.AuthBearer:
		if b.Auth.TokenEnv == "" {
			return Identity{}, fmt.Errorf("back end %s: auth type bearer needs token_env: %w", b.Name, ErrConfig)
		}
		if m.o.Getenv(b.Auth.TokenEnv) == "" {
			return Identity{}, signInRequired(b.Name, "$"+b.Auth.TokenEnv+" is not set (auth type bearer reads the token from it)", nil)
		}
		return Identity{}, nil
	case config.AuthClientCredentials:
		if _, err := m.TokenSource(b.Name).Token(); err != nil {
			return Identity{}, err
		}
		return Identity{System: true, ID: b.Auth.ClientID}, nil
	case config.AuthPKCE, config.AuthDevice:
	default:
		return Identity{}, fmt.Errorf("back end %s: unknown auth type %q: %w", b.Name, b.Auth.Type, ErrConfig)
	}
	if b.Auth.ClientID == "" {
		return Identity{}, fmt.Errorf("back end %s: auth type %s needs client_id: %w", b.Name, b.Auth.Type, ErrConfig)
	}
	ep, err := m.endpoints(ctx, st)
	if err != nil {
		return Identity{}, err
	}
	start := time.Now()
	var tok *oauth2.Token
	var nonce string
	if b.Auth.Type == config.AuthPKCE {
		tok, nonce, err = m.runPKCE(ctx, b, ep)
	} else {
		tok, err = m.runDevice(ctx, b, ep)
	}
	if err != nil {
		m.o.Logger.Info("sign-in failed", "backend", b.Name, "flow", b.Auth.Type, "duration", time.Since(start), "reason", errorKind(err))
		return Identity{}, err
	}
	m.stamp(tok)
	id, err := m.identify(ctx, b, ep, tok, nonce)
	if err != nil {
		m.o.Logger.Info("sign-in failed", "backend", b.Name, "flow", b.Auth.Type, "reason", errorKind(err))
		return Identity{}, signInRequired(b.Name, err.Error(), err)
	}
	s := &session{Backend: b.Name, Issuer: ep.Issuer, ClientID: b.Auth.ClientID, Identity: id}
	s.setToken(tok)
	if s.Identity.Subject == "" {
		s.Identity.Subject = "unknown"
	}
	st.mu.Lock()
	st.sess, st.loaded = s, true
	st.mu.Unlock()
	if err := m.sessions.save(s); err != nil {
		m.o.Logger.Warn("could not store the sign-in", "backend", b.Name, "error", err)
	}
	m.o.Logger.Info("signed in", "backend", b.Name, "flow", b.Auth.Type, "duration", time.Since(start),
		"refresh", tok.RefreshToken != "", "in_memory", m.kr.InMemory())
	return id, nil
}

// errorKind names an error for the log without its text (which may quote a provider).
func errorKind(err error) string {
	switch {
	case errors.Is(err, ErrAccessDenied):
		return "access_denied"
	case errors.Is(err, ErrExpired):
		return "expired"
	case errors.Is(err, ErrStateMismatch):
		return "state_mismatch"
	case errors.Is(err, ErrIDToken):
		return "id_token"
	case errors.Is(err, context.Canceled):
		return "cancelled"
	}
	var re *refusedError
	if errors.As(err, &re) {
		return "refused:" + re.code
	}
	return "error"
}

// identify works out who signed in: the verified ID token's claims, completed from
// userinfo when the ID token does not carry a name.
func (m *Manager) identify(ctx context.Context, b config.Backend, ep Endpoints, tok *oauth2.Token, nonce string) (Identity, error) {
	var c idClaims
	raw, _ := tok.Extra("id_token").(string)
	if raw != "" {
		var err error
		c, err = verifyIDToken(ctx, m.o.HTTPClient, ep, b.Auth.ClientID, nonce, raw, m.o.Clock())
		if err != nil {
			return Identity{}, err
		}
	}
	if c.Name == "" && ep.Userinfo != "" && tok.AccessToken != "" {
		ui, err := fetchUserinfo(ctx, m.o.HTTPClient, ep, tok.AccessToken)
		switch {
		case err != nil:
			m.o.Logger.Debug("userinfo unavailable", "backend", b.Name, "error", err)
		case c.Subject != "" && ui.Subject != c.Subject:
			// OpenID Connect Core §5.3.2: the userinfo sub must match the ID token's.
			m.o.Logger.Warn("userinfo names a different subject; ignored", "backend", b.Name)
		default:
			if c.Subject == "" {
				c.Subject = ui.Subject
			}
			fillEmpty(&c.Name, ui.Name)
			fillEmpty(&c.GivenName, ui.GivenName)
			fillEmpty(&c.FamilyName, ui.FamilyName)
			fillEmpty(&c.PreferredUsername, ui.PreferredUsername)
			fillEmpty(&c.Email, ui.Email)
		}
	}
	return c.identity(ep.Issuer), nil
}

// load reads the back end's session from the keyring once. Caller holds st.mu.
func (m *Manager) loadLocked(st *backendState) *session {
	if st.loaded {
		return st.sess
	}
	s, err := m.sessions.load(st.b.Name)
	if err != nil {
		m.o.Logger.Warn("could not read the keyring", "backend", st.b.Name, "error", err)
	}
	st.sess, st.loaded = s, true
	return s
}

// errRefreshRefused: the server will not refresh (refresh token revoked or expired).
var errRefreshRefused = errors.New("refresh refused")

// refreshLocked exchanges the refresh token. Caller holds st.mu.
func (m *Manager) refreshLocked(st *backendState, s *session) (*oauth2.Token, error) {
	ctx, cancel := context.WithTimeout(m.o.Context, 30*time.Second)
	defer cancel()
	ep, err := m.endpointsLocked(ctx, st)
	if err != nil {
		return nil, err
	}
	cfg := m.oauthConfig(st.b, ep, "")
	start := time.Now()
	tok, err := cfg.TokenSource(m.httpCtx(ctx), &oauth2.Token{RefreshToken: s.RefreshToken}).Token()
	if err != nil {
		err = tokenError(err)
		var re *refusedError
		if errors.As(err, &re) && (re.status == http.StatusBadRequest || re.status == http.StatusUnauthorized) {
			m.o.Logger.Info("refresh refused", "backend", st.b.Name, "status", re.status, "code", re.code)
			return nil, fmt.Errorf("%w: %v", errRefreshRefused, err)
		}
		m.o.Logger.Warn("refresh failed", "backend", st.b.Name, "reason", errorKind(err))
		return nil, fmt.Errorf("%s: could not renew the sign-in: %w", st.b.Name, err)
	}
	m.stamp(tok)
	s.setToken(tok)
	if err := m.sessions.save(s); err != nil {
		m.o.Logger.Warn("could not store the renewed sign-in", "backend", st.b.Name, "error", err)
	}
	m.o.Logger.Info("token refreshed", "backend", st.b.Name, "duration", time.Since(start))
	return s.token(), nil
}

// endpointsLocked is endpoints for a caller holding st.mu.
func (m *Manager) endpointsLocked(ctx context.Context, st *backendState) (Endpoints, error) {
	if st.ep != nil {
		return *st.ep, nil
	}
	ep, err := Discover(ctx, m.o.HTTPClient, st.b)
	if err != nil {
		return ep, err
	}
	st.ep = &ep
	return ep, nil
}
