package auth

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zalando/go-keyring"

	"github.com/shcr-project/shcr/client"
	"github.com/shcr-project/shcr/config"
)

// --- PKCE with the loopback redirect, end to end ---------------------------------------

func TestPKCELoopbackEndToEndWithSMARTDiscovery(t *testing.T) {
	op := startOP(t)
	fhir := startFHIR(t, op, http.StatusOK)
	b := pkceBackend("region", op, fhir.url)
	b.Auth.Issuer = "" // everything from the FHIR server's smart-configuration
	cfg := config.Config{Backends: []config.Backend{b}, User: config.User{Role: "R8000"}}
	br := newBrowser(t, op.username(), userPassword)
	var out syncBuffer
	kr := config.NewKeyring(time.Second)
	m := NewManager(cfg, kr, Options{Out: &out, Browser: br.Open})

	id, err := m.Login(bg(), "region")
	if err != nil {
		t.Fatalf("Login: %v\nprompts:\n%s", err, out.String())
	}
	code, page := br.wait(t)
	if code != http.StatusOK || !strings.Contains(page, "Signed in to region") {
		t.Fatalf("browser ended on %d %q", code, page)
	}
	if id.Name != "Test User" || id.ID != op.username() || id.Subject != "id1" || id.Email != "test-user@zitadel.ch" {
		t.Fatalf("identity = %+v", id)
	}
	if id.Issuer != op.issuer {
		t.Fatalf("issuer = %q", id.Issuer)
	}

	// The authorize request: PKCE S256, a loopback redirect on a random port, state, nonce,
	// and (SMART server, no audience configured) aud = the FHIR base.
	au, _ := url.Parse(br.lastURL())
	q := au.Query()
	if q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" {
		t.Errorf("no PKCE S256 in %s", au)
	}
	ru, _ := url.Parse(q.Get("redirect_uri"))
	if ru.Scheme != "http" || ru.Hostname() != "127.0.0.1" || ru.Port() == "" || ru.Path != "/callback" {
		t.Errorf("redirect_uri = %q", q.Get("redirect_uri"))
	}
	if q.Get("state") == "" || q.Get("nonce") == "" {
		t.Error("state or nonce missing")
	}
	if q.Get("aud") != fhir.url {
		t.Errorf("aud = %q, want the FHIR base %q", q.Get("aud"), fhir.url)
	}
	if q.Has("resource") {
		t.Error("resource sent with no audience configured")
	}
	// The URL is always printed too.
	if !strings.Contains(out.String(), br.lastURL()) {
		t.Errorf("prompt does not print the URL:\n%s", out.String())
	}

	tok, err := m.TokenSource("region").Token()
	if err != nil || tok.AccessToken == "" {
		t.Fatalf("TokenSource after login: %v", err)
	}
	if who, ok := m.SignedIn(); !ok || who.Name != "Test User" {
		t.Fatalf("SignedIn = %+v, %v", who, ok)
	}
	u := m.User()
	if u.Name != "Test User" || u.ID != op.username() || u.Role != "R8000" {
		t.Fatalf("User() = %+v", u)
	}

	// A new process finds the session in the keyring (service shcr, keyed by back end,
	// issuer, client id and user).
	idx, err := keyring.Get(config.KeyringService, "current/region")
	if err != nil {
		t.Fatalf("no index entry in the keyring: %v", err)
	}
	if want := "session/region/" + op.issuer + "/" + nativeClient + "/id1"; idx != want {
		t.Fatalf("session key = %q, want %q", idx, want)
	}
	m2 := NewManager(cfg, config.NewKeyring(time.Second), Options{Browser: noBrowser})
	tok2, err := m2.TokenSource("region").Token()
	if err != nil || tok2.AccessToken != tok.AccessToken {
		t.Fatalf("second process: %v", err)
	}
	st := m2.Status()
	if len(st) != 1 || st[0].State != StateSignedIn || st[0].Identity.Name != "Test User" || st[0].Expiry.IsZero() {
		t.Fatalf("Status = %+v", st)
	}

	// Sign out: gone from the keyring and from this process.
	if err := m2.Logout("region"); err != nil {
		t.Fatal(err)
	}
	if _, err := keyring.Get(config.KeyringService, idx); !errors.Is(err, keyring.ErrNotFound) {
		t.Fatalf("session still in keyring after logout: %v", err)
	}
	if _, err := m2.TokenSource("region").Token(); !errors.Is(err, client.ErrSignInRequired) {
		t.Fatalf("after logout: %v, want ErrSignInRequired", err)
	}
	if !m2.NeedsLogin("region") {
		t.Fatal("NeedsLogin false after logout")
	}
}

func TestSMARTDiscoveryRefusedFallsBackToOpenID(t *testing.T) {
	for _, status := range []int{http.StatusNotFound, http.StatusUnauthorized} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			op := startOP(t)
			fhir := startFHIR(t, op, status)
			b := pkceBackend("council", op, fhir.url)
			ep, err := Discover(bg(), http.DefaultClient, b)
			if err != nil {
				t.Fatal(err)
			}
			if ep.SMART || ep.Source != "openid-configuration" {
				t.Fatalf("endpoints from %q (SMART %v), want openid-configuration", ep.Source, ep.SMART)
			}
			if ep.Authorization != op.endpoint("authorization_endpoint") || ep.Token != op.endpoint("token_endpoint") || ep.JWKS == "" {
				t.Fatalf("endpoints = %+v", ep)
			}

			// And a whole sign-in works through them; no SMART aud is sent.
			br := newBrowser(t, op.username(), userPassword)
			m := NewManager(config.Config{Backends: []config.Backend{b}}, config.NewMemoryKeyring(), Options{Out: &syncBuffer{}, Browser: br.Open})
			id, err := m.Login(bg(), "council")
			if err != nil {
				t.Fatal(err)
			}
			br.wait(t)
			if id.Subject != "id1" {
				t.Fatalf("identity = %+v", id)
			}
			if q := mustQuery(t, br.lastURL()); q.Has("aud") {
				t.Errorf("aud sent to a non-SMART back end: %q", q.Get("aud"))
			}
		})
	}
}

func TestDiscoveryFailureIsExplained(t *testing.T) {
	op := startOP(t)
	fhir := startFHIR(t, op, http.StatusNotFound)
	b := pkceBackend("lost", op, fhir.url)
	b.Auth.Issuer = ""
	_, err := Discover(bg(), http.DefaultClient, b)
	if !errors.Is(err, ErrConfig) {
		t.Fatalf("err = %v, want ErrConfig", err)
	}
	for _, want := range []string{"authorization endpoint", "HTTP 404", "set issuer"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
}

func TestExplicitEndpointsOverrideDiscovery(t *testing.T) {
	op := startOP(t)
	b := pkceBackend("x", op, "")
	b.Auth.TokenURL = "https://token.example.org/t"
	ep, err := Discover(bg(), http.DefaultClient, b)
	if err != nil {
		t.Fatal(err)
	}
	if ep.Token != "https://token.example.org/t" || ep.Authorization != op.endpoint("authorization_endpoint") {
		t.Fatalf("endpoints = %+v", ep)
	}
}

func TestAudienceSentAsAudAndResource(t *testing.T) {
	op := startOP(t)
	fhir := startFHIR(t, op, http.StatusOK)
	b := pkceBackend("aud", op, fhir.url)
	b.Auth.Audience = "https://shcr.example.org/fhir/R4"
	br := newBrowser(t, op.username(), userPassword)
	m := NewManager(config.Config{Backends: []config.Backend{b}}, config.NewMemoryKeyring(), Options{Out: &syncBuffer{}, Browser: br.Open})
	if _, err := m.Login(bg(), "aud"); err != nil {
		t.Fatal(err)
	}
	br.wait(t)
	q := mustQuery(t, br.lastURL())
	if q.Get("aud") != b.Auth.Audience || q.Get("resource") != b.Auth.Audience {
		t.Fatalf("aud = %q resource = %q", q.Get("aud"), q.Get("resource"))
	}
}

func TestPKCEStateMismatchRejected(t *testing.T) {
	op := startOP(t)
	b := pkceBackend("st", op, "")
	var page string
	var wg sync.WaitGroup
	forger := func(authURL string) error {
		q := mustQuery(t, authURL)
		wg.Add(1)
		go func() {
			defer wg.Done()
			// A response carrying someone else's code and state arrives at the callback.
			resp, err := http.Get(q.Get("redirect_uri") + "?code=stolen&state=not-ours")
			if err != nil {
				return
			}
			defer resp.Body.Close()
			buf := new(strings.Builder)
			_, _ = fmt.Fprint(buf, resp.StatusCode)
			page = buf.String()
		}()
		return nil
	}
	m := NewManager(config.Config{Backends: []config.Backend{b}}, config.NewMemoryKeyring(), Options{Out: &syncBuffer{}, Browser: forger})
	_, err := m.Login(bg(), "st")
	wg.Wait()
	if !errors.Is(err, ErrStateMismatch) || !errors.Is(err, client.ErrSignInRequired) {
		t.Fatalf("err = %v, want ErrStateMismatch", err)
	}
	if page != "400" {
		t.Fatalf("callback answered %s, want 400", page)
	}
	if m.NeedsLogin("st") == false {
		t.Fatal("a rejected sign-in must not leave a session")
	}
}

func TestPKCEAccessDeniedRedirect(t *testing.T) {
	op := startOP(t)
	b := pkceBackend("deny", op, "")
	// The provider redirects back with error=access_denied (RFC 6749 §4.1.2.1), as it does
	// when the user presses "deny"; the example login page has no deny button, so the
	// browser follows that redirect directly.
	deny := func(authURL string) error {
		q := mustQuery(t, authURL)
		go func() {
			resp, err := http.Get(q.Get("redirect_uri") + "?error=access_denied&error_description=" +
				url.QueryEscape("The user denied the request") + "&state=" + url.QueryEscape(q.Get("state")))
			if err == nil {
				resp.Body.Close()
			}
		}()
		return nil
	}
	m := NewManager(config.Config{Backends: []config.Backend{b}}, config.NewMemoryKeyring(), Options{Out: &syncBuffer{}, Browser: deny})
	_, err := m.Login(bg(), "deny")
	if !errors.Is(err, ErrAccessDenied) || !errors.Is(err, client.ErrSignInRequired) {
		t.Fatalf("err = %v", err)
	}
	if !strings.Contains(err.Error(), "refused") || !strings.Contains(err.Error(), "shcr login deny") {
		t.Fatalf("error not in words: %v", err)
	}
}

func TestPKCETimesOutCleanly(t *testing.T) {
	op := startOP(t)
	b := pkceBackend("slow", op, "")
	var out syncBuffer
	// The time limit runs out at once (After fires at once), having been asked for the
	// configured 300 ms.
	var w waits
	m := NewManager(config.Config{Backends: []config.Backend{b}}, config.NewMemoryKeyring(),
		Options{Out: &out, Browser: noBrowser, LoginTimeout: 300 * time.Millisecond, After: w.After})
	_, err := m.Login(bg(), "slow")
	if !errors.Is(err, ErrExpired) || !errors.Is(err, client.ErrSignInRequired) {
		t.Fatalf("err = %v, want ErrExpired", err)
	}
	if asked := w.Asked(); !slices.Equal(asked, []time.Duration{300 * time.Millisecond}) {
		t.Fatalf("waits = %v, want [300ms]", asked)
	}
	if !strings.Contains(err.Error(), "within 300ms") {
		t.Fatalf("the error does not give the limit: %v", err)
	}
	// The browser could not be opened: the URL is printed with the reason.
	if !strings.Contains(out.String(), "could not open a browser") || !strings.Contains(out.String(), "http://") {
		t.Fatalf("prompt:\n%s", out.String())
	}
}

func TestPKCERequiresS256(t *testing.T) {
	b := config.Backend{Name: "weak", Auth: config.Auth{Type: config.AuthPKCE, ClientID: "c"}}
	m := NewManager(config.Config{Backends: []config.Backend{b}}, nil, Options{})
	_, _, err := m.runPKCE(bg(), b, Endpoints{Authorization: "http://127.0.0.1:1/a", Token: "http://127.0.0.1:1/t", CodeChallengeMethods: []string{"plain"}})
	if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), "S256") {
		t.Fatalf("err = %v", err)
	}
}

// --- Interactive token source (shcr get) and the sign-in-required path ----------------------

func TestTokenSourceSignsInWhenInteractive(t *testing.T) {
	op := startOP(t)
	b := pkceBackend("get", op, "")
	br := newBrowser(t, op.username(), userPassword)
	m := NewManager(config.Config{Backends: []config.Backend{b}}, config.NewMemoryKeyring(),
		Options{Out: &syncBuffer{}, Browser: br.Open, Interactive: true})
	ts := m.TokenSource("get")
	var wg sync.WaitGroup
	toks := make([]string, 3)
	errs := make([]error, 3)
	for i := range 3 { // three sections fetched at once: one sign-in
		wg.Add(1)
		go func() {
			defer wg.Done()
			tok, err := ts.Token()
			errs[i] = err
			if tok != nil {
				toks[i] = tok.AccessToken
			}
		}()
	}
	wg.Wait()
	for i := range 3 {
		if errs[i] != nil || toks[i] == "" || toks[i] != toks[0] {
			t.Fatalf("token %d: %q, %v", i, toks[i], errs[i])
		}
	}
	if n := br.count(); n != 1 {
		t.Fatalf("browser opened %d times, want 1", n)
	}
}

func TestTokenSourceNotInteractiveNeedsSignIn(t *testing.T) {
	op := startOP(t)
	b := pkceBackend("tui", op, "")
	m := NewManager(config.Config{Backends: []config.Backend{b}}, config.NewMemoryKeyring(), Options{Browser: func(string) error {
		t.Error("browser opened by a non-interactive token source")
		return nil
	}})
	_, err := m.TokenSource("tui").Token()
	if !errors.Is(err, client.ErrSignInRequired) || !strings.Contains(err.Error(), "not signed in") {
		t.Fatalf("err = %v", err)
	}
	if !m.NeedsLogin("tui") {
		t.Fatal("NeedsLogin = false")
	}
	if m.TokenSource("nope") != nil {
		t.Fatal("unknown back end must have no token source")
	}
}

// --- Refresh and expiry -----------------------------------------------------------------

func TestRefreshIsSilentAndPersisted(t *testing.T) {
	op := startOP(t)
	b := pkceBackend("refresh", op, "")
	cfg := config.Config{Backends: []config.Backend{b}}
	br := newBrowser(t, op.username(), userPassword)
	kr := config.NewKeyring(time.Second)
	m := NewManager(cfg, kr, Options{Out: &syncBuffer{}, Browser: br.Open})
	if _, err := m.Login(bg(), "refresh"); err != nil {
		t.Fatal(err)
	}
	br.wait(t)
	first, err := m.TokenSource("refresh").Token()
	if err != nil {
		t.Fatal(err)
	}
	st, _ := m.sessions.load("refresh")
	if st == nil || st.RefreshToken == "" {
		t.Fatal("no refresh token stored (offline_access)")
	}
	oldRefresh := st.RefreshToken

	// Ten minutes later (the example provider's access tokens last five), in a new process.
	later := func() time.Time { return time.Now().Add(10 * time.Minute) }
	m2 := NewManager(cfg, config.NewKeyring(time.Second), Options{Clock: later, Browser: func(string) error {
		t.Error("a refresh must not open the browser")
		return nil
	}})
	if got := m2.Status()[0].State; got != StateRefreshable {
		t.Fatalf("state before refresh = %s", got)
	}
	if m2.NeedsLogin("refresh") {
		t.Fatal("NeedsLogin with a refresh token")
	}
	second, err := m2.TokenSource("refresh").Token()
	if err != nil {
		t.Fatalf("silent refresh: %v", err)
	}
	if second.AccessToken == first.AccessToken {
		t.Fatal("refresh returned the old access token")
	}
	// The provider rotates refresh tokens; the new one went back to the keyring.
	st2, _ := sessionStore{kr: config.NewKeyring(time.Second)}.load("refresh")
	if st2 == nil || st2.AccessToken != second.AccessToken || st2.RefreshToken == oldRefresh || st2.RefreshToken == "" {
		t.Fatal("refreshed tokens not persisted")
	}
	if st2.Identity.Name != "Test User" {
		t.Fatalf("identity lost on refresh: %+v", st2.Identity)
	}

	// The spent refresh token is refused: put it back and the session ends, asking for a
	// sign-in (not interactive here), and the dead session is removed.
	st2.RefreshToken = oldRefresh
	if err := (sessionStore{kr: config.NewKeyring(time.Second)}).save(st2); err != nil {
		t.Fatal(err)
	}
	// The refreshed token's expiry is on m2's clock (ten minutes on, plus its five): later still.
	muchLater := func() time.Time { return time.Now().Add(20 * time.Minute) }
	m3 := NewManager(cfg, config.NewKeyring(time.Second), Options{Clock: muchLater})
	_, err = m3.TokenSource("refresh").Token()
	if !errors.Is(err, client.ErrSignInRequired) || !strings.Contains(err.Error(), "could not be renewed") {
		t.Fatalf("spent refresh token: %v", err)
	}
	if s, _ := m3.sessions.load("refresh"); s != nil {
		t.Fatal("dead session kept")
	}
}

func TestExpiredWithoutRefreshAsksToSignIn(t *testing.T) {
	op := startOP(t)
	b := pkceBackend("norefresh", op, "")
	b.Auth.Scopes = []string{"openid", "profile"} // no offline_access: no refresh token
	cfg := config.Config{Backends: []config.Backend{b}}
	br := newBrowser(t, op.username(), userPassword)
	m := NewManager(cfg, config.NewKeyring(time.Second), Options{Out: &syncBuffer{}, Browser: br.Open})
	if _, err := m.Login(bg(), "norefresh"); err != nil {
		t.Fatal(err)
	}
	br.wait(t)
	later := func() time.Time { return time.Now().Add(6 * time.Minute) }
	m2 := NewManager(cfg, config.NewKeyring(time.Second), Options{Clock: later})
	_, err := m2.TokenSource("norefresh").Token()
	if !errors.Is(err, client.ErrSignInRequired) || !strings.Contains(err.Error(), "expired") {
		t.Fatalf("err = %v", err)
	}
	if !m2.NeedsLogin("norefresh") {
		t.Fatal("NeedsLogin = false for an expired session")
	}
	if s := m2.Status()[0]; s.State != StateSignedOut || s.Detail != "session expired" {
		t.Fatalf("status = %+v", s)
	}
}

// --- Device authorization grant ---------------------------------------------------------

// deviceManager's act approves (or denies) the device code as the user would on another
// device, through the example storage (its HTML form fails for the openid scope).
// deviceManager signs in to b by the device grant; its waits between polls are recorded in
// w and do not happen.
func deviceManager(t *testing.T, op *testOP, b config.Backend, w *waits, act func(p Prompt)) *Manager {
	return NewManager(config.Config{Backends: []config.Backend{b}}, config.NewMemoryKeyring(), Options{
		Prompt: act,
		Getenv: testEnv("SHCR_TEST_DEVICE_SECRET", deviceSecret),
		After:  w.After,
	})
}

func TestDeviceGrantEndToEnd(t *testing.T) {
	t.Parallel()
	op := startOP(t)
	b := deviceBackend("council", op)
	var got Prompt
	var w waits
	m := deviceManager(t, op, b, &w, func(p Prompt) {
		got = p
		if err := op.storage.CompleteDeviceAuthorization(bg(), p.UserCode, "id1"); err != nil {
			t.Error(err)
		}
	})
	id, err := m.Login(bg(), "council")
	if err != nil {
		t.Fatal(err)
	}
	// One poll, after the provider's interval (5 s).
	if asked := w.Asked(); !slices.Equal(asked, []time.Duration{5 * time.Second}) {
		t.Fatalf("waits before polling = %v, want [5s]", asked)
	}
	if got.UserCode == "" || !strings.HasPrefix(got.URL, op.issuer) || got.Expires.Before(time.Now()) {
		t.Fatalf("prompt = %+v", got)
	}
	if id.Subject != "id1" || id.Name != "Test User" {
		t.Fatalf("identity = %+v", id)
	}
	if tok, err := m.TokenSource("council").Token(); err != nil || tok.AccessToken == "" {
		t.Fatalf("token: %v", err)
	}
}

func TestDevicePlainTextPrompt(t *testing.T) {
	t.Parallel()
	op := startOP(t)
	b := deviceBackend("text", op)
	var out syncBuffer
	var w waits
	// Approve at the first wait before polling, once the prompt has been printed (the user
	// reads the code off the terminal).
	after := func(d time.Duration) <-chan time.Time {
		s := out.String()
		if i := strings.Index(s, "Enter the code"); i >= 0 {
			code := strings.Fields(s[i+len("Enter the code"):])[0]
			if err := op.storage.CompleteDeviceAuthorization(bg(), code, "id1"); err != nil {
				t.Error(err)
			}
		} else {
			t.Errorf("polling before the code was shown:\n%s", s)
		}
		return w.After(d)
	}
	m := NewManager(config.Config{Backends: []config.Backend{b}}, config.NewMemoryKeyring(), Options{
		Out:    &out,
		Getenv: testEnv("SHCR_TEST_DEVICE_SECRET", deviceSecret),
		After:  after,
	})
	if _, err := m.Login(bg(), "text"); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	s := out.String()
	for _, want := range []string{"Sign in to text:", "open  " + op.issuer, "Enter the code", "Approved."} {
		if !strings.Contains(s, want) {
			t.Errorf("prompt lacks %q:\n%s", want, s)
		}
	}
	// The example provider's codes last five minutes.
	if !strings.Contains(s, "The code expires in 5:00.") && !strings.Contains(s, "The code expires in 4:59.") {
		t.Errorf("no expiry countdown:\n%s", s)
	}
}

func TestDeviceAccessDenied(t *testing.T) {
	t.Parallel()
	op := startOP(t)
	b := deviceBackend("denied", op)
	m := deviceManager(t, op, b, &waits{}, func(p Prompt) {
		if err := op.storage.DenyDeviceAuthorization(bg(), p.UserCode); err != nil {
			t.Error(err)
		}
	})
	_, err := m.Login(bg(), "denied")
	if !errors.Is(err, ErrAccessDenied) || !errors.Is(err, client.ErrSignInRequired) {
		t.Fatalf("err = %v, want ErrAccessDenied", err)
	}
	if !strings.Contains(err.Error(), "refused") || !strings.Contains(err.Error(), "declined") {
		t.Fatalf("not explained in words: %v", err)
	}
}

func TestDeviceCodeExpired(t *testing.T) {
	t.Parallel()
	op := startOP(t)
	b := deviceBackend("expired", op)
	m := deviceManager(t, op, b, &waits{}, func(p Prompt) {
		// The user never approves and the code runs out: move its expiry into the past, then
		// make a locked storage call so the provider's next read sees the change.
		st, err := op.storage.GetDeviceAuthorizationByUserCode(bg(), p.UserCode)
		if err != nil {
			t.Error(err)
			return
		}
		st.Expires = time.Now().Add(-time.Second)
		_, _ = op.storage.GetDeviceAuthorizationByUserCode(bg(), p.UserCode)
	})
	_, err := m.Login(bg(), "expired")
	if !errors.Is(err, ErrExpired) || !errors.Is(err, client.ErrSignInRequired) {
		t.Fatalf("err = %v, want ErrExpired", err)
	}
	if !strings.Contains(err.Error(), "expired before it was approved") {
		t.Fatalf("not explained in words: %v", err)
	}
}

func TestConfiguredFlowIsTheOneThatRuns(t *testing.T) {
	// A device back end whose server offers no device endpoint fails; shcr does not switch
	// to the browser flow instead.
	op := startOP(t)
	fhir := startFHIR(t, op, http.StatusOK)
	b := config.Backend{Name: "dev", URL: fhir.url, Auth: config.Auth{Type: config.AuthDevice, ClientID: deviceClient}}
	called := false
	m := NewManager(config.Config{Backends: []config.Backend{b}}, config.NewMemoryKeyring(), Options{
		Browser: func(string) error { called = true; return nil },
		Prompt:  func(Prompt) { called = true },
	})
	// Endpoints as discovered from a SMART server that offers no device endpoint.
	m.states["dev"].ep = &Endpoints{SMART: true, Authorization: op.endpoint("authorization_endpoint"), Token: op.endpoint("token_endpoint")}
	_, err := m.Login(bg(), "dev")
	if err == nil || called {
		t.Fatalf("err = %v, prompted = %v", err, called)
	}
}

// --- ID token checks ----------------------------------------------------------------------

func TestIDTokenWrongAudienceRejected(t *testing.T) {
	op := startOP(t)
	b := pkceBackend("other", op, "")
	b.Auth.ClientID = otherClient
	rec := &recorder{}
	br := newBrowser(t, op.username(), userPassword)
	m := NewManager(config.Config{Backends: []config.Backend{b}}, config.NewMemoryKeyring(),
		Options{Out: &syncBuffer{}, Browser: br.Open, HTTPClient: &http.Client{Transport: rec}})
	if _, err := m.Login(bg(), "other"); err != nil {
		t.Fatal(err)
	}
	br.wait(t)
	ids := rec.idTokens()
	if len(ids) == 0 {
		t.Fatal("no ID token seen")
	}
	ep, err := Discover(bg(), http.DefaultClient, b)
	if err != nil {
		t.Fatal(err)
	}
	// Issued to shcr-other: accepted for shcr-other, rejected for shcr-native.
	if _, err := verifyIDToken(bg(), http.DefaultClient, ep, otherClient, "", ids[0], time.Now()); err != nil {
		t.Fatalf("right audience rejected: %v", err)
	}
	_, err = verifyIDToken(bg(), http.DefaultClient, ep, nativeClient, "", ids[0], time.Now())
	if !errors.Is(err, ErrIDToken) || !strings.Contains(err.Error(), "audience") {
		t.Fatalf("wrong audience: %v", err)
	}
	// Wrong issuer, expired, wrong nonce, tampered.
	bad := ep
	bad.Issuer = "https://someone-else.example.org/"
	if _, err := verifyIDToken(bg(), http.DefaultClient, bad, otherClient, "", ids[0], time.Now()); !errors.Is(err, ErrIDToken) {
		t.Errorf("wrong issuer accepted: %v", err)
	}
	if _, err := verifyIDToken(bg(), http.DefaultClient, ep, otherClient, "", ids[0], time.Now().Add(3*time.Hour)); !errors.Is(err, ErrIDToken) {
		t.Errorf("expired ID token accepted: %v", err)
	}
	if _, err := verifyIDToken(bg(), http.DefaultClient, ep, otherClient, "another-nonce", ids[0], time.Now()); !errors.Is(err, ErrIDToken) {
		t.Errorf("wrong nonce accepted: %v", err)
	}
	parts := strings.Split(ids[0], ".")
	tampered := parts[0] + "." + parts[1] + "x." + parts[2]
	if _, err := verifyIDToken(bg(), http.DefaultClient, ep, otherClient, "", tampered, time.Now()); !errors.Is(err, ErrIDToken) {
		t.Errorf("tampered ID token accepted: %v", err)
	}
}

// --- Keyring fallback, logs ---------------------------------------------------------------

func TestNoKeyringKeepsTokensInMemoryAndSaysSoOnce(t *testing.T) {
	keyring.MockInitWithError(errors.New("The name org.freedesktop.secrets was not provided by any .service files"))
	t.Cleanup(keyring.MockInit)
	op := startOP(t)
	b := pkceBackend("headless", op, "")
	cfg := config.Config{Backends: []config.Backend{b}}
	br := newBrowser(t, op.username(), userPassword)
	m := NewManager(cfg, config.NewKeyring(time.Second), Options{Out: &syncBuffer{}, Browser: br.Open})
	if _, err := m.Login(bg(), "headless"); err != nil {
		t.Fatal(err)
	}
	br.wait(t)
	if tok, err := m.TokenSource("headless").Token(); err != nil || tok.AccessToken == "" {
		t.Fatalf("in-memory token: %v", err)
	}
	n := m.Notice()
	if !strings.Contains(n, "No system keyring") {
		t.Fatalf("notice = %q", n)
	}
	if m.Notice() != "" {
		t.Fatal("notice repeated")
	}
	if s := m.Status()[0]; s.State != StateSignedIn || !s.InMemory {
		t.Fatalf("status = %+v", s)
	}
	// Nothing survives the process.
	m2 := NewManager(cfg, config.NewKeyring(time.Second), Options{})
	if !m2.NeedsLogin("headless") {
		t.Fatal("a new process found tokens: they were written somewhere")
	}
}

func TestTokensNeverInLogsOrPrompts(t *testing.T) {
	op := startOP(t)
	b := pkceBackend("quiet", op, "")
	cfg := config.Config{Backends: []config.Backend{b}}
	var logs, out syncBuffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	rec := &recorder{}
	hc := &http.Client{Transport: rec}
	br := newBrowser(t, op.username(), userPassword)
	m := NewManager(cfg, config.NewKeyring(time.Second), Options{Logger: logger, Out: &out, Browser: br.Open, HTTPClient: hc})
	if _, err := m.Login(bg(), "quiet"); err != nil {
		t.Fatal(err)
	}
	br.wait(t)
	// Refresh (a new process, later) and a refused refresh: both log.
	later := func() time.Time { return time.Now().Add(10 * time.Minute) }
	m2 := NewManager(cfg, config.NewKeyring(time.Second), Options{Logger: logger, Out: &out, Clock: later, HTTPClient: hc})
	tok, err := m2.TokenSource("quiet").Token()
	if err != nil {
		t.Fatal(err)
	}
	var errTexts []string
	s, _ := m2.sessions.load("quiet")
	s.RefreshToken = "definitely-not-valid"
	_ = m2.sessions.save(s)
	m3 := NewManager(cfg, config.NewKeyring(time.Second), Options{Logger: logger, Out: &out, Clock: later, HTTPClient: hc})
	if _, err := m3.TokenSource("quiet").Token(); err != nil {
		errTexts = append(errTexts, err.Error())
	}
	for _, st := range m.Status() {
		errTexts = append(errTexts, fmt.Sprintf("%+v", st))
	}

	secrets := rec.secrets()
	if len(secrets) < 4 {
		t.Fatalf("only %d tokens seen; the test is not exercising anything", len(secrets))
	}
	if !strings.Contains(logs.String(), "token refreshed") || !strings.Contains(logs.String(), "signed in") {
		t.Fatalf("expected log lines missing:\n%s", logs.String())
	}
	haystack := logs.String() + out.String() + strings.Join(errTexts, "\n")
	for _, sec := range append(secrets, tok.AccessToken) {
		if strings.Contains(haystack, sec) || strings.Contains(haystack, sec[:min(len(sec), 16)]) {
			t.Fatalf("a token appears in logs, prompts, errors or status")
		}
	}
	for _, personal := range []string{"Test User", op.username(), "test-user@zitadel.ch"} {
		if strings.Contains(logs.String(), personal) {
			t.Fatalf("log holds personal data %q", personal)
		}
	}
}

// --- Bearer -----------------------------------------------------------------------------

func TestBearerFromEnvironment(t *testing.T) {
	b := config.Backend{Name: "dev", Auth: config.Auth{Type: config.AuthBearer, TokenEnv: "SHCR_TOKEN"}}
	cfg := config.Config{Backends: []config.Backend{b, {Name: "open", Auth: config.Auth{Type: config.AuthNone}}}}
	m := NewManager(cfg, nil, Options{Getenv: testEnv("SHCR_TOKEN", "dev-token-123")})
	tok, err := m.TokenSource("dev").Token()
	if err != nil || tok.AccessToken != "dev-token-123" || tok.Type() != "Bearer" {
		t.Fatalf("token = %+v, %v", tok, err)
	}
	if m.TokenSource("open") != nil {
		t.Fatal("auth none must have no token source")
	}
	st := m.Status()
	if st[0].State != StateEnvSet || st[1].State != StateNotNeeded {
		t.Fatalf("status = %+v", st)
	}

	unset := NewManager(cfg, nil, Options{Getenv: testEnv()})
	if _, err := unset.TokenSource("dev").Token(); !errors.Is(err, client.ErrSignInRequired) || !strings.Contains(err.Error(), "$SHCR_TOKEN is not set") {
		t.Fatalf("unset: %v", err)
	}
	if _, err := unset.Login(bg(), "dev"); !errors.Is(err, client.ErrSignInRequired) {
		t.Fatalf("login with unset variable: %v", err)
	}
	if unset.Status()[0].State != StateEnvMissing {
		t.Fatal("want env-missing")
	}
}

func TestUnknownBackend(t *testing.T) {
	m := NewManager(config.Config{}, nil, Options{})
	if _, err := m.Login(bg(), "nowhere"); !errors.Is(err, ErrUnknownBackend) {
		t.Fatalf("Login: %v", err)
	}
	if err := m.Logout("nowhere"); !errors.Is(err, ErrUnknownBackend) {
		t.Fatalf("Logout: %v", err)
	}
}

func TestLogoutAllClearsEveryBackend(t *testing.T) {
	op := startOP(t)
	b1, b2 := pkceBackend("one", op, ""), pkceBackend("two", op, "")
	cfg := config.Config{Backends: []config.Backend{b1, b2}}
	kr := config.NewKeyring(time.Second)
	for _, name := range []string{"one", "two"} {
		br := newBrowser(t, op.username(), userPassword)
		m := NewManager(cfg, kr, Options{Out: &syncBuffer{}, Browser: br.Open})
		if _, err := m.Login(bg(), name); err != nil {
			t.Fatal(err)
		}
		br.wait(t)
	}
	m := NewManager(cfg, kr, Options{})
	if _, ok := m.SignedIn(); !ok {
		t.Fatal("not signed in")
	}
	if err := m.LogoutAll(); err != nil {
		t.Fatal(err)
	}
	fresh := NewManager(cfg, config.NewKeyring(time.Second), Options{})
	if _, ok := fresh.SignedIn(); ok || !fresh.NeedsLogin("one") || !fresh.NeedsLogin("two") {
		t.Fatal("sessions survived logout --all")
	}
}

func mustQuery(t *testing.T, raw string) url.Values {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query()
}

func TestUserinfoTokenStaysOnItsHost(t *testing.T) {
	// The access token goes only to the host it was obtained from: not to a userinfo
	// endpoint on another host, and not across a redirect to another host.
	var mu sync.Mutex
	var leaked []string
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		leaked = append(leaked, r.Header.Get("Authorization"))
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"sub":"id1","name":"Someone Else"}`)
	}))
	defer other.Close()
	home := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// 127.0.0.1 and localhost are different hosts to an HTTP client.
		http.Redirect(w, r, strings.Replace(other.URL, "127.0.0.1", "localhost", 1)+"/userinfo", http.StatusFound)
	}))
	defer home.Close()

	ep := Endpoints{Token: home.URL + "/token", Userinfo: home.URL + "/userinfo"}
	if _, err := fetchUserinfo(bg(), http.DefaultClient, ep, "secret-access-token"); err != nil {
		t.Fatal(err)
	}
	ep.Userinfo = other.URL + "/userinfo"
	if _, err := fetchUserinfo(bg(), http.DefaultClient, ep, "secret-access-token"); err == nil {
		t.Fatal("userinfo on another host was asked")
	}
	mu.Lock()
	defer mu.Unlock()
	if len(leaked) != 1 || leaked[0] != "" {
		t.Fatalf("Authorization seen by the other host: %q", leaked)
	}
}

func TestWithPromptOverridesOut(t *testing.T) {
	// The TUI passes its own prompt function for one sign-in; nothing goes to Out.
	op := startOP(t)
	b := pkceBackend("panel", op, "")
	br := newBrowser(t, op.username(), userPassword)
	var out syncBuffer
	m := NewManager(config.Config{Backends: []config.Backend{b}}, config.NewMemoryKeyring(), Options{Out: &out, Browser: br.Open})
	var got []Prompt
	ctx := WithPrompt(bg(), func(p Prompt) { got = append(got, p) })
	if _, err := m.Login(ctx, "panel"); err != nil {
		t.Fatal(err)
	}
	br.wait(t)
	if len(got) != 1 || got[0].Flow != string(config.AuthPKCE) || got[0].URL != br.lastURL() || got[0].BrowserErr != nil {
		t.Fatalf("prompts = %+v", got)
	}
	if out.String() != "" {
		t.Fatalf("wrote to Out: %q", out.String())
	}
}
