package auth

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shcr-project/shcr/config"
	"github.com/shcr-project/shcr/internal/oidctest"
)

// sink is a server that must receive nothing: it records every request it gets.
type sink struct {
	srv  *httptest.Server
	mu   sync.Mutex
	seen []string // method, path and whether credentials came along
}

func startSink(t *testing.T) *sink {
	t.Helper()
	s := &sink{}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		_, _, basic := r.BasicAuth()
		s.mu.Lock()
		s.seen = append(s.seen, fmt.Sprintf("%s %s basic=%v form=%d bytes", r.Method, r.URL.Path, basic, len(body)))
		s.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"access_token":"stolen","token_type":"Bearer","expires_in":3600}`)
	}))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *sink) requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.seen...)
}

func (s *sink) host() string { return strings.TrimPrefix(s.srv.URL, "http://") }

// hostileFHIR is a FHIR server whose SMART configuration names token (and device) endpoints
// of its choosing, with the rest pointed at op.
func hostileFHIR(t *testing.T, op *testOP, token, device string) string {
	t.Helper()
	doc := map[string]any{
		"issuer":                           op.issuer,
		"authorization_endpoint":           op.endpoint("authorization_endpoint"),
		"token_endpoint":                   token,
		"jwks_uri":                         op.endpoint("jwks_uri"),
		"userinfo_endpoint":                op.endpoint("userinfo_endpoint"),
		"code_challenge_methods_supported": []string{"S256"},
	}
	if device != "" {
		doc["device_authorization_endpoint"] = device
	}
	return oidctest.ServeSMART(t, doc)
}

func TestSMARTConfigNamingForeignTokenEndpointGetsNoCredentials(t *testing.T) {
	op := startOP(t)
	foreign := startSink(t)
	fhirURL := hostileFHIR(t, op, foreign.srv.URL+"/token", foreign.srv.URL+"/device")
	key, _ := rsa.GenerateKey(rand.Reader, 2048)
	issuerHost := strings.TrimSuffix(strings.TrimPrefix(op.issuer, "http://"), "/")
	want := func(name string) string {
		return "back end " + name + ": the FHIR server's SMART configuration names token endpoint " + foreign.host() +
			", which is not the configured issuer " + issuerHost + ": not sending credentials"
	}
	cases := []struct {
		name string
		auth config.Auth
	}{
		{"secret", config.Auth{Type: config.AuthClientCredentials, Issuer: op.issuer, ClientID: "sid1",
			ClientSecretEnv: "SHCR_SVC_SECRET", Scopes: []string{"openid"}}},
		{"jwt", config.Auth{Type: config.AuthClientCredentials, Issuer: op.issuer, ClientID: "sid1",
			KeyFile: writeKey(t, key), KeyID: "k"}},
		{"device", config.Auth{Type: config.AuthDevice, Issuer: op.issuer, ClientID: deviceClient,
			ClientSecretEnv: "SHCR_SVC_SECRET", Scopes: []string{"openid"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := config.Backend{Name: tc.name, Kind: config.KindFHIRR4, URL: fhirURL, Auth: tc.auth}
			m := NewManager(config.Config{Backends: []config.Backend{b}}, nil, Options{
				Getenv: testEnv("SHCR_SVC_SECRET", "verysecret"),
				Prompt: func(Prompt) { t.Error("a device code was asked for") },
			})
			var err error
			if tc.auth.Type == config.AuthDevice {
				_, err = m.Login(bg(), tc.name)
			} else {
				_, err = m.TokenSource(tc.name).Token()
			}
			if !errors.Is(err, ErrUntrustedEndpoint) || !errors.Is(err, ErrConfig) {
				t.Fatalf("err = %v, want a refusal", err)
			}
			if err.Error() != want(tc.name) {
				t.Fatalf("message\n got: %s\nwant: %s", err, want(tc.name))
			}
			// Asking again (a second section, a retry) still sends nothing.
			_, _ = m.TokenSource(tc.name).Token()
			if got := foreign.requests(); len(got) != 0 {
				t.Fatalf("the foreign endpoint received %v", got)
			}
		})
	}

	// A public client sends no credentials: it may use what the SMART configuration names
	// (here the foreign server's device endpoint answers like any other).
	pub := config.Backend{Name: "public", URL: fhirURL, Auth: config.Auth{Type: config.AuthPKCE, ClientID: nativeClient}}
	if _, err := Discover(bg(), http.DefaultClient, pub); err != nil {
		t.Fatalf("public client refused: %v", err)
	}
}

func TestSMARTTokenEndpointOfTheIssuerIsUsed(t *testing.T) {
	op := startOP(t)

	t.Run("same origin as the issuer", func(t *testing.T) {
		fhir := startFHIR(t, op, http.StatusOK) // its SMART configuration names op's endpoints
		b := config.Backend{Name: "svc", URL: fhir.url, Auth: config.Auth{Type: config.AuthClientCredentials,
			Issuer: op.issuer, ClientID: "sid1", ClientSecretEnv: "S", Scopes: []string{"openid"}}}
		m := NewManager(config.Config{Backends: []config.Backend{b}}, nil, Options{Getenv: testEnv("S", "verysecret")})
		if tok, err := m.TokenSource("svc").Token(); err != nil || tok.AccessToken == "" {
			t.Fatalf("same-origin token endpoint: %v", err)
		}
	})

	t.Run("listed in the issuer's own metadata", func(t *testing.T) {
		// The configured issuer is on another origin than its token endpoint (as with a
		// hosted identity service); the SMART configuration names that token endpoint.
		var issuerURL string
		iss := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != "/.well-known/openid-configuration" {
				http.NotFound(w, r)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			json.NewEncoder(w).Encode(map[string]string{"issuer": issuerURL, "token_endpoint": op.endpoint("token_endpoint")})
		}))
		defer iss.Close()
		issuerURL = iss.URL
		fhirURL := hostileFHIR(t, op, op.endpoint("token_endpoint"), "")
		b := config.Backend{Name: "svc", URL: fhirURL, Auth: config.Auth{Type: config.AuthClientCredentials,
			Issuer: issuerURL, ClientID: "sid1", ClientSecretEnv: "S", Scopes: []string{"openid"}}}
		m := NewManager(config.Config{Backends: []config.Backend{b}}, nil, Options{Getenv: testEnv("S", "verysecret")})
		if tok, err := m.TokenSource("svc").Token(); err != nil || tok.AccessToken == "" {
			t.Fatalf("issuer-listed token endpoint: %v", err)
		}

		// The same issuer metadata does not vouch for another endpoint.
		foreign := startSink(t)
		b.URL = hostileFHIR(t, op, foreign.srv.URL+"/token", "")
		m = NewManager(config.Config{Backends: []config.Backend{b}}, nil, Options{Getenv: testEnv("S", "verysecret")})
		if _, err := m.TokenSource("svc").Token(); !errors.Is(err, ErrUntrustedEndpoint) {
			t.Fatalf("err = %v", err)
		}
		if got := foreign.requests(); len(got) != 0 {
			t.Fatalf("the foreign endpoint received %v", got)
		}
	})

	t.Run("private_key_jwt, issuer-listed", func(t *testing.T) {
		key, _ := rsa.GenerateKey(rand.Reader, 2048)
		bs := startBackendServices(t, key.Public(), "desk", "k")
		var issuerURL string
		iss := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			json.NewEncoder(w).Encode(map[string]string{"issuer": issuerURL, "token_endpoint": bs.tokenURL})
		}))
		defer iss.Close()
		issuerURL = iss.URL
		b := config.Backend{Name: "desk", URL: bs.fhirURL, Auth: config.Auth{Type: config.AuthClientCredentials,
			Issuer: issuerURL, ClientID: "desk", KeyFile: writeKey(t, key), KeyID: "k"}}
		m := NewManager(config.Config{Backends: []config.Backend{b}}, nil, Options{})
		if _, err := m.TokenSource("desk").Token(); err != nil {
			t.Fatalf("issuer-listed token endpoint: %v", err)
		}
	})

	t.Run("no issuer configured", func(t *testing.T) {
		key, _ := rsa.GenerateKey(rand.Reader, 2048)
		bs := startBackendServices(t, key.Public(), "desk", "k")
		b := config.Backend{Name: "desk", URL: bs.fhirURL, Auth: config.Auth{Type: config.AuthClientCredentials,
			ClientID: "desk", KeyFile: writeKey(t, key), KeyID: "k"}}
		m := NewManager(config.Config{Backends: []config.Backend{b}}, nil, Options{})
		_, err := m.TokenSource("desk").Token()
		if !errors.Is(err, ErrUntrustedEndpoint) || !strings.Contains(err.Error(), "set issuer (or token_url)") {
			t.Fatalf("err = %v", err)
		}
		bs.mu.Lock()
		defer bs.mu.Unlock()
		if len(bs.forms) != 0 {
			t.Fatalf("the token endpoint received %d requests", len(bs.forms))
		}
	})
}

// secretWatch is a transport that notes every host a secret is sent to (Basic credentials
// or a client_secret in the body).
type secretWatch struct {
	secret string
	mu     sync.Mutex
	hosts  []string
}

func (s *secretWatch) RoundTrip(req *http.Request) (*http.Response, error) {
	carried := false
	if _, pw, ok := req.BasicAuth(); ok && strings.Contains(pw, s.secret) {
		carried = true
	}
	if req.Body != nil {
		body, _ := io.ReadAll(req.Body)
		req.Body.Close()
		if strings.Contains(string(body), s.secret) {
			carried = true
		}
		req.Body = io.NopCloser(strings.NewReader(string(body)))
	}
	if carried {
		s.mu.Lock()
		s.hosts = append(s.hosts, req.URL.Host)
		s.mu.Unlock()
	}
	return http.DefaultTransport.RoundTrip(req)
}

func TestExplicitTokenURLIsTheOnlyPlaceTheSecretGoes(t *testing.T) {
	op := startOP(t)
	foreign := startSink(t)
	// token_url: a loopback relay in front of the provider's token endpoint (another host:port
	// than the issuer), counting what reaches it.
	target, _ := url.Parse(op.endpoint("token_endpoint"))
	var relayed atomic.Int32
	relay := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		relayed.Add(1)
		out, _ := http.NewRequestWithContext(r.Context(), r.Method, target.String(), r.Body)
		out.Header = r.Header.Clone()
		resp, err := http.DefaultTransport.RoundTrip(out)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		w.Header().Set("Content-Type", resp.Header.Get("Content-Type"))
		w.WriteHeader(resp.StatusCode)
		io.Copy(w, resp.Body)
	}))
	defer relay.Close()

	for _, withIssuer := range []bool{false, true} {
		t.Run(fmt.Sprintf("issuer=%v", withIssuer), func(t *testing.T) {
			relayed.Store(0)
			a := config.Auth{Type: config.AuthClientCredentials, TokenURL: relay.URL + "/oauth/token", ClientID: "sid1",
				ClientSecretEnv: "S", Scopes: []string{"openid"}}
			if withIssuer {
				a.Issuer = op.issuer
			}
			b := config.Backend{Name: "svc", URL: hostileFHIR(t, op, foreign.srv.URL+"/token", ""), Auth: a}
			watch := &secretWatch{secret: "verysecret"}
			m := NewManager(config.Config{Backends: []config.Backend{b}}, nil, Options{
				Getenv: testEnv("S", "verysecret"), HTTPClient: &http.Client{Transport: watch}})
			if tok, err := m.TokenSource("svc").Token(); err != nil || tok.AccessToken == "" {
				t.Fatalf("token: %v", err)
			}
			relayHost := strings.TrimPrefix(relay.URL, "http://")
			watch.mu.Lock()
			hosts := watch.hosts
			watch.mu.Unlock()
			if len(hosts) != 1 || hosts[0] != relayHost || relayed.Load() != 1 {
				t.Fatalf("the secret went to %v (relay saw %d requests), want only %s", hosts, relayed.Load(), relayHost)
			}
			if got := foreign.requests(); len(got) != 0 {
				t.Fatalf("the foreign endpoint received %v", got)
			}
		})
	}
}

// noDial is an HTTP client that fails the test if it dials or sends anything.
func noDial(t *testing.T) *http.Client {
	return &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			t.Errorf("dialled %s", addr)
			return nil, errors.New("no dialling in this test")
		},
	}}
}

func TestPlainHTTPRefusedExceptToLoopback(t *testing.T) {
	cases := []struct {
		name string
		b    config.Backend
		want string
	}{
		{"token_url", config.Backend{Name: "a", Auth: config.Auth{Type: config.AuthClientCredentials,
			TokenURL: "http://token.invalid/token", ClientID: "c", ClientSecretEnv: "S"}},
			"back end a: the token endpoint http://token.invalid/token is plain http:// to another computer (token.invalid)"},
		{"public client token endpoint", config.Backend{Name: "b", Auth: config.Auth{Type: config.AuthPKCE,
			TokenURL: "http://token.invalid/token", AuthorizeURL: "https://login.example/authorize", ClientID: "c"}},
			"the token endpoint http://token.invalid/token is plain http://"},
		{"device endpoint", config.Backend{Name: "c", Auth: config.Auth{Type: config.AuthDevice,
			TokenURL: "https://login.example/token", DeviceURL: "http://device.invalid/device", ClientID: "c"}},
			"the device authorization endpoint http://device.invalid/device is plain http://"},
		{"FHIR base, bearer", config.Backend{Name: "d", URL: "http://fhir.invalid/R4", Auth: config.Auth{
			Type: config.AuthBearer, TokenEnv: "T"}},
			"the FHIR base URL http://fhir.invalid/R4 is plain http://"},
		{"FHIR base, client credentials", config.Backend{Name: "e", URL: "http://fhir.invalid/R4", Auth: config.Auth{
			Type: config.AuthClientCredentials, TokenURL: "https://login.example/token", ClientID: "c", ClientSecretEnv: "S"}},
			"the FHIR base URL http://fhir.invalid/R4 is plain http://"},
		{"localhost-looking name", config.Backend{Name: "f", Auth: config.Auth{Type: config.AuthClientCredentials,
			TokenURL: "http://127.0.0.1.invalid/token", ClientID: "c", ClientSecretEnv: "S"}},
			"is plain http://"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := NewManager(config.Config{Backends: []config.Backend{tc.b}}, nil, Options{
				HTTPClient: noDial(t), Getenv: testEnv("S", "verysecret", "T", "tok"), Interactive: true, LoginTimeout: time.Second,
				Prompt: func(Prompt) { t.Error("prompted") }, Browser: func(string) error { t.Error("browser opened"); return nil },
			})
			_, err := m.TokenSource(tc.b.Name).Token()
			if !errors.Is(err, ErrUntrustedEndpoint) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("more than one line: %q", err)
			}
		})
	}

	// The guarded client refuses before dialling, whatever asked for the request.
	req, _ := http.NewRequest(http.MethodPost, "http://token.invalid/token", strings.NewReader("client_secret=x"))
	if _, err := guardedClient(noDial(t)).Do(req); !errors.Is(err, ErrUntrustedEndpoint) {
		t.Fatalf("guarded client: %v", err)
	}

	// Loopback over http is allowed: 127.0.0.0/8, ::1 and localhost.
	for _, raw := range []string{"http://127.0.0.1:8080/t", "http://127.9.9.9/t", "http://[::1]:9/t", "http://localhost:1/t", "http://LOCALHOST/t", "https://login.example/t"} {
		if err := checkTransport("x", "token endpoint", raw); err != nil {
			t.Errorf("%s refused: %v", raw, err)
		}
	}
	for _, raw := range []string{"http://10.0.0.1/t", "http://localhost.example/t", "http://[::2]/t", "ftp://x/t", "http://0.0.0.0/t"} {
		if err := checkTransport("x", "token endpoint", raw); err == nil {
			t.Errorf("%s accepted", raw)
		}
	}
	// And a whole token request over loopback http works (as every test here does).
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"access_token":"a","token_type":"Bearer","expires_in":3600}`)
	}))
	defer srv.Close()
	local := strings.Replace(srv.URL, "127.0.0.1", "localhost", 1)
	b := config.Backend{Name: "l", Auth: config.Auth{Type: config.AuthClientCredentials, TokenURL: local + "/token", ClientID: "c", ClientSecretEnv: "S"}}
	m := NewManager(config.Config{Backends: []config.Backend{b}}, nil, Options{Getenv: testEnv("S", "s")})
	if _, err := m.TokenSource("l").Token(); err != nil {
		t.Fatalf("loopback http: %v", err)
	}
}

func TestTokenRequestFollowsNoRedirectToAnotherOrigin(t *testing.T) {
	foreign := startSink(t)
	home := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// 307 keeps the method and body: the secret would go along.
		http.Redirect(w, r, foreign.srv.URL+"/token", http.StatusTemporaryRedirect)
	}))
	defer home.Close()
	b := config.Backend{Name: "r", Auth: config.Auth{Type: config.AuthClientCredentials, TokenURL: home.URL + "/token",
		ClientID: "c", ClientSecretEnv: "S"}}
	m := NewManager(config.Config{Backends: []config.Backend{b}}, nil, Options{Getenv: testEnv("S", "verysecret")})
	if _, err := m.TokenSource("r").Token(); err == nil {
		t.Fatal("a redirected token request succeeded")
	}
	if got := foreign.requests(); len(got) != 0 {
		t.Fatalf("the redirect target received %v", got)
	}
}

func TestServerTextIsScrubbed(t *testing.T) {
	jwt := "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJpZDEifQ.c2lnbmF0dXJl"
	in := "bad request\x1b]52;c;aGk=\x07 for access_token=abc123secret&code=xyz789 client_secret: \"s3cr3t\" " +
		"Authorization: Bearer opaque-token-value Basic c2lkMTp2ZXJ5c2VjcmV0 " + jwt + "\u202e"
	out := serverText(in)
	for i, leak := range []string{"abc123secret", "xyz789", "s3cr3t", "opaque-token-value", "c2lkMTp2ZXJ5c2VjcmV0", "eyJhbGci", "\x1b", "\x07", "\u202e"} {
		if strings.Contains(out, leak) {
			t.Errorf("secret or control %d survives the scrubbing", i)
		}
	}
	if !strings.Contains(out, "bad request") || !strings.Contains(out, "access_token=") {
		t.Errorf("too much removed: %d bytes left", len(out))
	}
	if got := errorCode("invalid_grant\x1b[2J<script>"); got != "invalid_grantscript" { // the whole CSI goes, then what is not a code character
		t.Errorf("errorCode = %q", got)
	}

	// A token endpoint that echoes the request in its error: the message shown and the log
	// hold none of it.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token", error_description="token `+jwt+`"`)
		w.WriteHeader(http.StatusBadRequest)
		json.NewEncoder(w).Encode(map[string]string{"error": "invalid_client",
			"error_description": "client_secret=" + r.PostForm.Get("client_secret") + " rejected; last token " + jwt})
	}))
	defer srv.Close()
	b := config.Backend{Name: "echo", Auth: config.Auth{Type: config.AuthClientCredentials, TokenURL: srv.URL + "/token",
		ClientID: "c", ClientSecretEnv: "S"}}
	var logs syncBuffer
	m := NewManager(config.Config{Backends: []config.Backend{b}}, nil, Options{Getenv: testEnv("S", "verysecretvalue"), Logger: slogJSON(&logs)})
	_, err := m.TokenSource("echo").Token()
	if err == nil || !strings.Contains(err.Error(), "invalid_client") {
		t.Fatalf("err = %v", err)
	}
	for _, leak := range []string{"verysecretvalue", "eyJhbGci"} {
		if strings.Contains(err.Error(), leak) || strings.Contains(logs.String(), leak) {
			t.Fatalf("%q shown or logged", leak[:4])
		}
	}
}

func TestConfiguredIssuerBindsPublicClientsToo(t *testing.T) {
	// With an issuer configured, a public pkce client's browser goes only to the issuer's
	// authorization endpoint, and its code only to the issuer's token endpoint.
	op := startOP(t)
	foreign := startSink(t)
	serve := func(doc map[string]any) string {
		body, _ := json.Marshal(doc)
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Write(body)
		}))
		t.Cleanup(srv.Close)
		return srv.URL + "/fhir"
	}
	for _, tc := range []struct{ what, field string }{
		{"authorization endpoint", "authorization_endpoint"},
		{"token endpoint", "token_endpoint"},
	} {
		t.Run(tc.field, func(t *testing.T) {
			doc := map[string]any{"issuer": op.issuer, "jwks_uri": op.endpoint("jwks_uri"), "userinfo_endpoint": op.endpoint("userinfo_endpoint"),
				"authorization_endpoint": op.endpoint("authorization_endpoint"), "token_endpoint": op.endpoint("token_endpoint")}
			doc[tc.field] = foreign.srv.URL + "/" + tc.field
			b := pkceBackend("pub", op, serve(doc))
			m := NewManager(config.Config{Backends: []config.Backend{b}}, nil, Options{LoginTimeout: time.Second,
				Browser: func(string) error { t.Error("browser opened"); return nil }})
			_, err := m.Login(bg(), "pub")
			want := "back end pub: the FHIR server's SMART configuration names " + tc.what + " " + foreign.host() +
				", which is not the configured issuer " + strings.TrimSuffix(strings.TrimPrefix(op.issuer, "http://"), "/") + ": not sending credentials"
			if err == nil || err.Error() != want {
				t.Fatalf("err = %v\nwant %s", err, want)
			}
			b.Auth.Issuer = "" // no issuer: the SMART configuration is all there is
			if _, err := Discover(bg(), http.DefaultClient, b); err != nil {
				t.Fatalf("public client without an issuer: %v", err)
			}
			if got := foreign.requests(); len(got) != 0 {
				t.Fatalf("the foreign endpoint received %v", got)
			}
		})
	}
}
