package auth

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shcr-project/shcr/client"
	"github.com/shcr-project/shcr/config"
)

// deviceServer is a device grant's two endpoints: the device authorization endpoint gives
// code "dc" with the interval and lifetime given; the token endpoint answers each poll in
// turn from answers (an OAuth error code, or "" for a token) and records what it was sent.
type deviceServer struct {
	srv   *httptest.Server
	mu    sync.Mutex
	polls []string // each token request's form, encoded
}

func startDeviceServer(t *testing.T, interval, expiresIn int, answers ...string) *deviceServer {
	t.Helper()
	d := &deviceServer{}
	d.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/device":
			json.NewEncoder(w).Encode(map[string]any{"device_code": "dc", "user_code": "ABCD-EFGH",
				"verification_uri": "http://" + r.Host + "/verify", "interval": interval, "expires_in": expiresIn})
		case "/token":
			d.mu.Lock()
			n := len(d.polls)
			d.polls = append(d.polls, r.PostForm.Encode())
			d.mu.Unlock()
			if n < len(answers) && answers[n] != "" {
				w.WriteHeader(http.StatusBadRequest)
				json.NewEncoder(w).Encode(map[string]string{"error": answers[n]})
				return
			}
			json.NewEncoder(w).Encode(map[string]any{"access_token": "at", "token_type": "Bearer", "expires_in": 600})
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(d.srv.Close)
	return d
}

func (d *deviceServer) Polls() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.polls...)
}

func (d *deviceServer) manager(clk *fakeClock, after func(time.Duration) <-chan time.Time) *Manager {
	b := config.Backend{Name: "dev", Kind: config.KindFHIRR4, Auth: config.Auth{Type: config.AuthDevice, ClientID: "pub",
		DeviceURL: d.srv.URL + "/device", TokenURL: d.srv.URL + "/token", Scopes: []string{"openid"}}}
	return NewManager(config.Config{Backends: []config.Backend{b}}, config.NewMemoryKeyring(),
		Options{Clock: clk.Now, After: after, Prompt: func(Prompt) {}})
}

// The device grant polls as RFC 8628 says: the server's interval before every request, 5 s
// more after each slow_down, on while authorization_pending; every request carries the
// grant type, the device code and the client.
func TestDevicePollingFollowsTheServer(t *testing.T) {
	d := startDeviceServer(t, 3, 600, "authorization_pending", "slow_down", "authorization_pending", "")
	clk := newClock()
	var asked []time.Duration
	m := d.manager(clk, func(w time.Duration) <-chan time.Time {
		asked = append(asked, w)
		clk.Add(w)
		c := make(chan time.Time, 1)
		c <- clk.Now()
		return c
	})
	if _, err := m.Login(bg(), "dev"); err != nil {
		t.Fatal(err)
	}
	want := []time.Duration{3 * time.Second, 3 * time.Second, 8 * time.Second, 8 * time.Second}
	if !slices.Equal(asked, want) {
		t.Fatalf("waits = %v, want %v", asked, want)
	}
	polls := d.Polls()
	if len(polls) != 4 {
		t.Fatalf("%d token requests, want 4", len(polls))
	}
	for _, p := range polls {
		for _, want := range []string{"grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code", "device_code=dc", "client_id=pub", "scope=openid"} {
			if !strings.Contains(p, want) {
				t.Errorf("token request %q lacks %s", p, want)
			}
		}
	}
}

// A code nobody approves runs out on the Manager's clock: the last wait is cut to what is
// left of the code's life, and no request is sent after it has expired.
func TestDeviceCodeRunsOutOnTheClock(t *testing.T) {
	pending := slices.Repeat([]string{"authorization_pending"}, 100)
	d := startDeviceServer(t, 5, 12, pending...)
	clk := newClock()
	var asked []time.Duration
	m := d.manager(clk, func(w time.Duration) <-chan time.Time {
		asked = append(asked, w)
		clk.Add(w)
		c := make(chan time.Time, 1)
		c <- clk.Now()
		return c
	})
	_, err := m.Login(bg(), "dev")
	if !errors.Is(err, ErrExpired) || !errors.Is(err, client.ErrSignInRequired) || !strings.Contains(err.Error(), "expired before it was approved") {
		t.Fatalf("err = %v, want ErrExpired in words", err)
	}
	// 12 s of life (less the moment the request took): 5 s, 5 s, then the rest (< 2 s).
	if len(asked) != 3 || asked[0] != 5*time.Second || asked[1] != 5*time.Second || asked[2] > 2*time.Second || asked[2] <= 0 {
		t.Fatalf("waits = %v, want [5s 5s ≤2s]", asked)
	}
	if n := len(d.Polls()); n != 2 {
		t.Fatalf("%d token requests, want 2 (none once the code had expired)", n)
	}
}
