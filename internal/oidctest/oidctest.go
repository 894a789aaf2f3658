// Package oidctest runs a real OpenID provider in-process for tests: zitadel/oidc v3's
// example OP (its op package with the example server and storage), on loopback, with a
// device-grant client; and a FHIR base that refuses requests without a token that provider
// issued. Only _test.go files import it: it is not part of the shipped binary.
package oidctest

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zitadel/oidc/v3/example/server/exampleop"
	"github.com/zitadel/oidc/v3/example/server/storage"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/shcr-project/shcr/config"
)

// The example OP's device client, and the user its storage approves codes for.
const (
	DeviceClientID = "shcr-device"
	DeviceSecret   = "device-secret"
	// UserSubject is the example user store's first user; it signs in as "Test User".
	UserSubject = "id1"
	UserName    = "Test User"
)

// Provider is a running example OpenID provider.
type Provider struct {
	Issuer  string
	Storage *storage.Storage
	doc     map[string]any
}

// Start runs the provider on 127.0.0.1 until the test ends. The example OP logs through
// slog's default logger, which Start silences.
func Start(tb testing.TB) *Provider {
	tb.Helper()
	slog.SetDefault(slog.New(slog.DiscardHandler))
	ts := httptest.NewUnstartedServer(nil)
	issuer := "http://" + ts.Listener.Addr().String() + "/"
	st := storage.NewStorageWithClients(storage.NewUserStore(issuer), map[string]*storage.Client{
		DeviceClientID: storage.DeviceClient(DeviceClientID, DeviceSecret),
	})
	ts.Config.Handler = exampleop.SetupServer(issuer, st, nil, false, op.WithHttpInterceptors(pollEverySecond))
	ts.Start()
	tb.Cleanup(ts.Close)
	p := &Provider{Issuer: issuer, Storage: st}
	resp, err := http.Get(issuer + ".well-known/openid-configuration")
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(&p.doc); err != nil {
		tb.Fatal(err)
	}
	return p
}

// pollEverySecond makes the device grant's polling interval 1 s (the example OP says 5 s): a
// test that approves a code waits a second for the client to see it, not five.
func pollEverySecond(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/device_authorization" {
			next.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		body := rec.Body.Bytes()
		var doc map[string]any
		if rec.Code == http.StatusOK && json.Unmarshal(body, &doc) == nil {
			doc["interval"] = 1
			if b, err := json.Marshal(doc); err == nil {
				body = b
			}
		}
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.Header().Del("Content-Length")
		w.WriteHeader(rec.Code)
		_, _ = w.Write(body)
	})
}

// NoWait is an auth.Options.After for tests: it fires at once, so a device sign-in asks
// the provider for its token as soon as the code is shown instead of after the provider's
// polling interval (5 s) on the wall clock.
func NoWait(time.Duration) <-chan time.Time {
	c := make(chan time.Time, 1)
	c <- time.Now()
	return c
}

// Username is the example user's login name ("test-user@" + the issuer's host), the ID
// shcr shows after its name.
func (p *Provider) Username() string {
	u, _ := url.Parse(p.Issuer)
	return "test-user@" + u.Hostname()
}

// DeviceBackend is a FHIR R4 back end at baseURL signing in with the device grant at this
// provider; the client secret is read from $secretEnv.
func (p *Provider) DeviceBackend(name, baseURL string, domain config.Domain, secretEnv string) config.Backend {
	return config.Backend{
		Name: name, Kind: config.KindFHIRR4, URL: baseURL, Domain: domain,
		Auth: config.Auth{Type: config.AuthDevice, Issuer: p.Issuer, ClientID: DeviceClientID,
			ClientSecretEnv: secretEnv, Scopes: []string{"openid", "profile"}},
	}
}

// Approve approves a device code as the user would on another device. (The example OP's
// HTML approval form fails for the openid scope, so this goes through its storage.)
func (p *Provider) Approve(userCode string) error {
	return p.Storage.CompleteDeviceAuthorization(context.Background(), userCode, UserSubject)
}

// ApproveAs approves a device code for another user of the example store ("id2" is
// "test-user2").
func (p *Provider) ApproveAs(userCode, subject string) error {
	return p.Storage.CompleteDeviceAuthorization(context.Background(), userCode, subject)
}

// EndSession ends a user's session at the provider: their access and refresh tokens stop
// working, so a refresh is refused (as when an administrator revokes a sign-in).
func (p *Provider) EndSession(subject string) error {
	// The example storage saves device-grant tokens without the client's id.
	for _, client := range []string{DeviceClientID, ""} {
		if err := p.Storage.TerminateSession(context.Background(), subject, client); err != nil {
			return err
		}
	}
	return nil
}

// Deny declines a device code.
func (p *Provider) Deny(userCode string) error {
	return p.Storage.DenyDeviceAuthorization(context.Background(), userCode)
}

// Guard is a FHIR base in front of another that answers 401 to any request without a
// bearer token this provider accepts (checked at its userinfo endpoint on every request, so
// a session ended at the provider is refused at once).
type Guard struct {
	URL string // the guarded FHIR base: same path as the upstream, another port

	mu      sync.Mutex
	refused int
	passed  int
}

// RequireToken starts a Guard in front of the FHIR base upstream until the test ends.
func (p *Provider) RequireToken(tb testing.TB, upstream string) *Guard {
	tb.Helper()
	up, err := url.Parse(upstream)
	if err != nil {
		tb.Fatal(err)
	}
	userinfo, _ := p.doc["userinfo_endpoint"].(string)
	if userinfo == "" {
		tb.Fatal("oidctest: the provider names no userinfo endpoint")
	}
	g := &Guard{}
	proxy := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: up.Scheme, Host: up.Host})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || !g.accepted(r.Context(), userinfo, tok) {
			g.mu.Lock()
			g.refused++
			g.mu.Unlock()
			w.Header().Set("WWW-Authenticate", `Bearer realm="shcr-test"`)
			w.Header().Set("Content-Type", "application/fhir+json")
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"login","diagnostics":"a valid bearer token is required"}]}`)
			return
		}
		g.mu.Lock()
		g.passed++
		g.mu.Unlock()
		r.Header.Del("Authorization")
		proxy.ServeHTTP(w, r)
	}))
	tb.Cleanup(srv.Close)
	g.URL = srv.URL + up.Path
	return g
}

// accepted asks the provider's userinfo endpoint whether tok is a live access token.
func (g *Guard) accepted(ctx context.Context, userinfo, tok string) bool {
	if tok == "" {
		return false
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, userinfo, nil)
	if err != nil {
		return false
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// Counts returns how many requests were refused (no or a bad token) and let through.
func (g *Guard) Counts() (refused, passed int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.refused, g.passed
}

// The example storage's service user, for client credentials with a client secret.
const (
	ServiceClientID = "sid1"
	ServiceSecret   = "verysecret"
)

// ServiceBackend is a FHIR R4 back end at baseURL using client credentials at this provider
// (the configured issuer) with the secret read from $secretEnv.
func (p *Provider) ServiceBackend(name, baseURL string, domain config.Domain, secretEnv string) config.Backend {
	return config.Backend{
		Name: name, Kind: config.KindFHIRR4, URL: baseURL, Domain: domain,
		Auth: config.Auth{Type: config.AuthClientCredentials, Issuer: p.Issuer, ClientID: ServiceClientID,
			ClientSecretEnv: secretEnv, Scopes: []string{"openid"}},
	}
}

// Endpoint is a URL from the provider's openid-configuration ("token_endpoint" …).
func (p *Provider) Endpoint(name string) string {
	s, _ := p.doc[name].(string)
	return s
}

// Foreign is a server that should receive nothing: it records every request it gets
// (method, path, whether Basic credentials or a form came along, never their values) and
// answers like a token endpoint, so a client that did send would carry on.
type Foreign struct {
	URL  string
	Host string // host:port, as shcr's messages name it

	mu   sync.Mutex
	reqs []string
}

// StartForeign runs a Foreign on loopback until the test ends.
func StartForeign(tb testing.TB) *Foreign {
	tb.Helper()
	f := &Foreign{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _, basic := r.BasicAuth()
		_ = r.ParseForm()
		f.mu.Lock()
		f.reqs = append(f.reqs, fmt.Sprintf("%s %s basic=%v form_fields=%d", r.Method, r.URL.Path, basic, len(r.PostForm)))
		f.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"access_token":"harvested","token_type":"Bearer","expires_in":3600}`)
	}))
	tb.Cleanup(srv.Close)
	f.URL = srv.URL
	f.Host = strings.TrimPrefix(srv.URL, "http://")
	return f
}

// Requests lists what the Foreign server received.
func (f *Foreign) Requests() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.reqs...)
}

// HostileSMART starts a FHIR base (path /fhir) whose /.well-known/smart-configuration names
// tokenEndpoint as its token endpoint, and this provider for everything else (issuer,
// authorization, JWKS, userinfo), as a FHIR server trying to harvest client secrets would.
// It answers 404 to anything else. It returns the FHIR base URL.
func (p *Provider) HostileSMART(tb testing.TB, tokenEndpoint string) string {
	tb.Helper()
	doc := map[string]any{
		"issuer":                                p.Issuer,
		"authorization_endpoint":                p.Endpoint("authorization_endpoint"),
		"token_endpoint":                        tokenEndpoint,
		"jwks_uri":                              p.Endpoint("jwks_uri"),
		"userinfo_endpoint":                     p.Endpoint("userinfo_endpoint"),
		"grant_types_supported":                 []string{"authorization_code", "client_credentials"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_basic", "private_key_jwt"},
		"code_challenge_methods_supported":      []string{"S256"},
	}
	return ServeSMART(tb, doc)
}

// ServeSMART starts a FHIR base (path /fhir) that answers its
// /.well-known/smart-configuration with doc and 404 to anything else, for the test's
// lifetime. It returns the FHIR base URL.
func ServeSMART(tb testing.TB, doc map[string]any) string {
	tb.Helper()
	body, _ := json.Marshal(doc)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/fhir/.well-known/smart-configuration" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	}))
	tb.Cleanup(srv.Close)
	return srv.URL + "/fhir"
}
