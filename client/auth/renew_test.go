package auth

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/shcr-project/shcr/client"
	"github.com/shcr-project/shcr/config"
)

// fakeClock is the Manager's clock in these tests: time moves only when the test says.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *fakeClock { return &fakeClock{t: time.Date(2026, 3, 12, 9, 0, 0, 0, time.UTC)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// shortLived is a token endpoint that issues tokens lasting expiresIn seconds and counts
// the requests it gets; failing makes it answer 503.
type shortLived struct {
	srv       *httptest.Server
	expiresIn int

	mu       sync.Mutex
	requests int
	failing  bool
}

func startShortLived(t *testing.T, expiresIn int) *shortLived {
	t.Helper()
	s := &shortLived{expiresIn: expiresIn}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/token" {
			http.NotFound(w, r)
			return
		}
		_ = r.ParseForm()
		s.mu.Lock()
		s.requests++
		n, failing := s.requests, s.failing
		s.mu.Unlock()
		if failing {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprint(w, `{"error":"temporarily_unavailable"}`)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{
			"access_token": fmt.Sprintf("at-%d", n), "token_type": "Bearer",
			"expires_in": s.expiresIn, "refresh_token": fmt.Sprintf("rt-%d", n),
		})
	}))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *shortLived) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

func (s *shortLived) fail(on bool) {
	s.mu.Lock()
	s.failing = on
	s.mu.Unlock()
}

// refreshManager has a signed-in pkce session at s whose access token expires at expiry.
func refreshManager(t *testing.T, s *shortLived, clk *fakeClock, expiry time.Time) *Manager {
	t.Helper()
	b := config.Backend{Name: "short", Auth: config.Auth{Type: config.AuthPKCE, Issuer: s.srv.URL,
		TokenURL: s.srv.URL + "/token", AuthorizeURL: s.srv.URL + "/authorize", ClientID: "shcr"}}
	m := NewManager(config.Config{Backends: []config.Backend{b}}, config.NewMemoryKeyring(), Options{Clock: clk.Now})
	sess := &session{Backend: "short", Issuer: s.srv.URL, ClientID: "shcr", AccessToken: "at-0", TokenType: "Bearer",
		RefreshToken: "rt-0", Expiry: expiry, Identity: Identity{Subject: "id1"}}
	if err := m.sessions.save(sess); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestConcurrentCallersShareOneRefresh(t *testing.T) {
	s := startShortLived(t, 1)
	clk := newClock()
	m := refreshManager(t, s, clk, clk.Now().Add(10*time.Second)) // inside the 30 s margin
	ts := m.TokenSource("short")
	const n = 16
	var wg sync.WaitGroup
	toks := make([]*oauth2.Token, n)
	errs := make([]error, n)
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			toks[i], errs[i] = ts.Token()
		}()
	}
	close(start)
	wg.Wait()
	for i := range n {
		if errs[i] != nil || toks[i].AccessToken != "at-1" {
			t.Fatalf("caller %d: %v", i, errs[i])
		}
	}
	if got := s.count(); got != 1 {
		t.Fatalf("%d refreshes for %d concurrent callers, want 1", got, n)
	}
	// The refreshed token lasts one second (well inside the margin): it is used as it is,
	// not refreshed again, until it expires.
	for range 5 {
		if tok, err := ts.Token(); err != nil || tok.AccessToken != "at-1" {
			t.Fatalf("reuse: %v", err)
		}
	}
	if got := s.count(); got != 1 {
		t.Fatalf("%d refreshes, want 1", got)
	}
	clk.Add(2 * time.Second)
	if tok, err := ts.Token(); err != nil || tok.AccessToken != "at-2" || s.count() != 2 {
		t.Fatalf("after expiry: %v, %d refreshes", err, s.count())
	}
}

func TestShortLivedTokensCannotCauseARefreshStorm(t *testing.T) {
	s := startShortLived(t, 1)
	clk := newClock()
	m := refreshManager(t, s, clk, clk.Now().Add(-time.Second))
	ts := m.TokenSource("short")
	var stormErr error
	for i := range 30 { // thirty requests, two seconds apart: each finds an expired token
		_, err := ts.Token()
		if err != nil {
			stormErr = err
			if i != maxRenewalsPerMinute {
				t.Fatalf("request %d failed: %v", i, err)
			}
			break
		}
		clk.Add(2 * time.Second)
	}
	if got := s.count(); got != maxRenewalsPerMinute {
		t.Fatalf("%d refreshes in a minute, want at most %d", got, maxRenewalsPerMinute)
	}
	if !errors.Is(stormErr, ErrRefreshStorm) || !errors.Is(stormErr, client.ErrSignInRequired) {
		t.Fatalf("err = %v, want the refresh storm error", stormErr)
	}
	if want := "short: the sign-in server keeps issuing tokens that expire at once: sign in again later"; stormErr.Error() != want {
		t.Fatalf("message %q, want %q", stormErr, want)
	}
	// More callers meanwhile: still nothing sent.
	for range 10 {
		if _, err := ts.Token(); !errors.Is(err, ErrRefreshStorm) {
			t.Fatalf("err = %v", err)
		}
	}
	if got := s.count(); got != maxRenewalsPerMinute {
		t.Fatalf("%d refreshes, want %d", got, maxRenewalsPerMinute)
	}
	// A minute after the first of them, renewing is allowed again.
	clk.Add(time.Minute)
	if _, err := ts.Token(); err != nil || s.count() != maxRenewalsPerMinute+1 {
		t.Fatalf("a minute later: %v, %d refreshes", err, s.count())
	}
}

func TestFailedRefreshBacksOff(t *testing.T) {
	s := startShortLived(t, 3600)
	s.fail(true)
	clk := newClock()
	m := refreshManager(t, s, clk, clk.Now().Add(-time.Second))
	ts := m.TokenSource("short")
	if _, err := ts.Token(); err == nil || !strings.Contains(err.Error(), "could not renew the sign-in") {
		t.Fatalf("first failure: %v", err)
	}
	if s.count() != 1 {
		t.Fatalf("%d requests", s.count())
	}
	// At once, and a second later: no new request, a message saying when.
	for _, wait := range []time.Duration{0, time.Second} {
		clk.Add(wait)
		_, err := ts.Token()
		if err == nil || !strings.Contains(err.Error(), "tries again in") || !strings.Contains(err.Error(), "temporarily_unavailable") {
			t.Fatalf("during backoff: %v", err)
		}
	}
	if s.count() != 1 {
		t.Fatalf("%d requests during the backoff, want 1", s.count())
	}
	// After 2 s: tried again, fails again; the next wait is 4 s.
	clk.Add(time.Second)
	if _, err := ts.Token(); err == nil || s.count() != 2 {
		t.Fatalf("after the backoff: %v, %d requests", err, s.count())
	}
	clk.Add(3 * time.Second)
	_, _ = ts.Token()
	if s.count() != 2 {
		t.Fatalf("%d requests 3 s into a 4 s backoff", s.count())
	}
	clk.Add(time.Second)
	s.fail(false)
	if tok, err := ts.Token(); err != nil || tok.AccessToken != "at-3" || s.count() != 3 {
		t.Fatalf("after recovery: %v, %d requests", err, s.count())
	}

	// A token still valid (only inside the margin) is used while its refresh fails.
	s2 := startShortLived(t, 3600)
	s2.fail(true)
	m2 := refreshManager(t, s2, clk, clk.Now().Add(20*time.Second))
	for range 3 {
		if tok, err := m2.TokenSource("short").Token(); err != nil || tok.AccessToken != "at-0" {
			t.Fatalf("still-valid token not used: %v", err)
		}
	}
	if s2.count() != 1 {
		t.Fatalf("%d refresh attempts, want 1 then the backoff", s2.count())
	}
}

func TestClientCredentialsShortLivedTokensBounded(t *testing.T) {
	s := startShortLived(t, 1)
	clk := newClock()
	b := config.Backend{Name: "desk", Auth: config.Auth{Type: config.AuthClientCredentials, TokenURL: s.srv.URL + "/token",
		ClientID: "desk", ClientSecretEnv: "S"}}
	m := NewManager(config.Config{Backends: []config.Backend{b}}, nil, Options{Clock: clk.Now, Getenv: testEnv("S", "secret")})
	ts := m.TokenSource("desk")
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := ts.Token(); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if s.count() != 1 {
		t.Fatalf("%d token requests for 8 concurrent callers, want 1", s.count())
	}
	var err error
	for range 20 {
		clk.Add(2 * time.Second)
		if _, err = ts.Token(); err != nil {
			break
		}
	}
	if !errors.Is(err, ErrRefreshStorm) || s.count() != maxRenewalsPerMinute {
		t.Fatalf("err = %v after %d requests", err, s.count())
	}
}
