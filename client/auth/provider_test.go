package auth

// A real OpenID provider in-process: zitadel/oidc v3's op package with the example server and
// storage from its example/server packages. Test-only: nothing outside _test.go imports them.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zalando/go-keyring"
	"github.com/zitadel/oidc/v3/example/server/exampleop"
	"github.com/zitadel/oidc/v3/example/server/storage"

	"github.com/shcr-project/shcr/config"
)

const (
	nativeClient = "shcr-native" // public native client: PKCE, loopback redirect, refresh tokens
	otherClient  = "shcr-other"  // another native client (wrong audience)
	deviceClient = "shcr-device" // device grant client (confidential, Basic)
	deviceSecret = "device-secret"
	userPassword = "verysecure" // the example user store's password
)

func TestMain(m *testing.M) {
	// The example OP logs every request to slog's default logger; keep test output readable.
	slog.SetDefault(slog.New(slog.DiscardHandler))
	// Sequential tests use go-keyring's mock; tests that run in parallel use memory keyrings
	// (the mock is process-wide and not safe for concurrent use).
	keyring.MockInit()
	os.Exit(m.Run())
}

type testOP struct {
	srv     *httptest.Server
	issuer  string
	storage *storage.Storage
	doc     map[string]any // its openid-configuration
}

// startOP runs the zitadel example OpenID provider on loopback.
func startOP(t *testing.T) *testOP {
	t.Helper()
	ts := httptest.NewUnstartedServer(nil)
	issuer := "http://" + ts.Listener.Addr().String() + "/"
	clients := map[string]*storage.Client{
		nativeClient: storage.NativeClient(nativeClient, "http://127.0.0.1/callback"),
		otherClient:  storage.NativeClient(otherClient, "http://127.0.0.1/callback"),
		deviceClient: storage.DeviceClient(deviceClient, deviceSecret),
	}
	st := storage.NewStorageWithClients(storage.NewUserStore(issuer), clients)
	ts.Config.Handler = exampleop.SetupServer(issuer, st, nil, false)
	ts.Start()
	t.Cleanup(ts.Close)
	op := &testOP{srv: ts, issuer: issuer, storage: st}
	resp, err := http.Get(issuer + ".well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(&op.doc); err != nil {
		t.Fatal(err)
	}
	return op
}

func (op *testOP) endpoint(name string) string {
	s, _ := op.doc[name].(string)
	return s
}

// username is the example user store's first user ("test-user@" + the issuer's host).
func (op *testOP) username() string {
	u, _ := url.Parse(op.issuer)
	return "test-user@" + u.Hostname()
}

// fhirServer is a FHIR base whose /.well-known/smart-configuration is served from a sample
// file with the endpoints pointed at op, or refused with status.
type fhirServer struct {
	srv *httptest.Server
	url string
}

func startFHIR(t *testing.T, op *testOP, status int) *fhirServer {
	t.Helper()
	raw, err := os.ReadFile("testdata/smart-configuration.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	doc["issuer"] = op.issuer
	doc["jwks_uri"] = op.endpoint("jwks_uri")
	doc["authorization_endpoint"] = op.endpoint("authorization_endpoint")
	doc["token_endpoint"] = op.endpoint("token_endpoint")
	doc["introspection_endpoint"] = op.endpoint("introspection_endpoint")
	doc["revocation_endpoint"] = op.endpoint("revocation_endpoint")
	delete(doc, "management_endpoint")
	delete(doc, "registration_endpoint")
	body, _ := json.Marshal(doc)
	mux := http.NewServeMux()
	mux.HandleFunc("/fhir/R4/.well-known/smart-configuration", func(w http.ResponseWriter, r *http.Request) {
		if status != http.StatusOK {
			w.Header().Set("Content-Type", "application/fhir+json")
			w.WriteHeader(status)
			fmt.Fprint(w, `{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"security"}]}`)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	})
	s := httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return &fhirServer{srv: s, url: s.URL + "/fhir/R4"}
}

// browser is a test stand-in for the user's web browser: it follows the authorize URL with an
// http.Client and a cookie jar, fills in the example provider's login form, and follows the
// redirects back to shcr's loopback callback, like a person would.
type browser struct {
	t        *testing.T
	username string
	password string

	mu        sync.Mutex
	opened    []string // authorize URLs it was asked to open
	finalCode int      // status of the page it ended on
	finalBody string
	err       error
	done      chan struct{}
}

func newBrowser(t *testing.T, username, password string) *browser {
	return &browser{t: t, username: username, password: password, done: make(chan struct{}, 8)}
}

// Open is the Options.Browser function. Like a real browser it returns at once and works on
// its own.
func (b *browser) Open(authURL string) error {
	b.mu.Lock()
	b.opened = append(b.opened, authURL)
	b.mu.Unlock()
	go func() {
		defer func() { b.done <- struct{}{} }()
		code, body, err := b.signIn(authURL)
		b.mu.Lock()
		b.finalCode, b.finalBody, b.err = code, body, err
		b.mu.Unlock()
	}()
	return nil
}

func (b *browser) signIn(authURL string) (int, string, error) {
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar}
	resp, err := hc.Get(authURL)
	if err != nil {
		return 0, "", err
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return resp.StatusCode, string(page), nil
	}
	id := resp.Request.URL.Query().Get("authRequestID")
	if id == "" {
		// The provider answered straight back (an error redirect to the callback).
		return resp.StatusCode, string(page), nil
	}
	if !strings.Contains(string(page), `name="password"`) {
		return 0, "", fmt.Errorf("expected the example login form, got %q", page)
	}
	loginURL := resp.Request.URL.Scheme + "://" + resp.Request.URL.Host + "/login/username"
	resp, err = hc.PostForm(loginURL, url.Values{"username": {b.username}, "password": {b.password}, "id": {id}})
	if err != nil {
		return 0, "", err
	}
	page, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp.StatusCode, string(page), nil
}

func (b *browser) wait(t *testing.T) (int, string) {
	t.Helper()
	<-b.done
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.err != nil {
		t.Fatalf("browser: %v", b.err)
	}
	return b.finalCode, b.finalBody
}

func (b *browser) lastURL() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.opened) == 0 {
		return ""
	}
	return b.opened[len(b.opened)-1]
}

func (b *browser) count() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.opened)
}

// syncBuffer is a bytes.Buffer safe for the concurrent writes of a logger and prompts.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// recorder is an http.RoundTripper that keeps every token endpoint response body, so tests
// can check tokens never leak and get at a real ID token.
type recorder struct {
	mu     sync.Mutex
	bodies []string
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil || !strings.Contains(req.URL.Path, "token") {
		return resp, err
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	r.mu.Lock()
	r.bodies = append(r.bodies, string(body))
	r.mu.Unlock()
	return resp, nil
}

// secrets returns every token value the provider handed out.
func (r *recorder) secrets() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, b := range r.bodies {
		var m map[string]any
		if json.Unmarshal([]byte(b), &m) != nil {
			continue
		}
		for _, k := range []string{"access_token", "refresh_token", "id_token"} {
			if s, ok := m[k].(string); ok && s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}

func (r *recorder) idTokens() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, b := range r.bodies {
		var m map[string]any
		if json.Unmarshal([]byte(b), &m) == nil {
			if s, ok := m["id_token"].(string); ok {
				out = append(out, s)
			}
		}
	}
	return out
}

// pkceBackend is a back end signing in with pkce at op (issuer discovery).
func pkceBackend(name string, op *testOP, fhirURL string) config.Backend {
	return config.Backend{
		Name: name, Kind: config.KindFHIRR4, URL: fhirURL,
		Auth: config.Auth{
			Type: config.AuthPKCE, Issuer: op.issuer, ClientID: nativeClient,
			Scopes: []string{"openid", "profile", "email", "offline_access"},
		},
	}
}

func deviceBackend(name string, op *testOP) config.Backend {
	return config.Backend{
		Name: name, Kind: config.KindFHIRR4,
		Auth: config.Auth{
			Type: config.AuthDevice, Issuer: op.issuer, ClientID: deviceClient,
			ClientSecretEnv: "SHCR_TEST_DEVICE_SECRET",
			Scopes:          []string{"openid", "profile"},
		},
	}
}

func testEnv(kv ...string) func(string) string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) string { return m[k] }
}

var errNoBrowser = errors.New("no browser in this test")

func noBrowser(string) error { return errNoBrowser }

func bg() context.Context { return context.Background() }

// waits is a Manager's Options.After in tests: it fires at once and records each wait the
// Manager asked for (the device grant's polling interval), so no test waits on the wall
// clock and each can check what would have been waited.
type waits struct {
	mu    sync.Mutex
	asked []time.Duration
}

func (w *waits) After(d time.Duration) <-chan time.Time {
	w.mu.Lock()
	w.asked = append(w.asked, d)
	w.mu.Unlock()
	c := make(chan time.Time, 1)
	c <- time.Now()
	return c
}

func (w *waits) Asked() []time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]time.Duration(nil), w.asked...)
}

func slogJSON(w *syncBuffer) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}
