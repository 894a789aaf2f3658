package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/spf13/cobra"
	"github.com/zalando/go-keyring"
	"github.com/zitadel/oidc/v3/example/server/exampleop"
	"github.com/zitadel/oidc/v3/example/server/storage"

	"github.com/shcr-project/shcr/client/auth"
	"github.com/shcr-project/shcr/config"
	"github.com/shcr-project/shcr/internal/audit"
	"github.com/shcr-project/shcr/internal/oidctest"
)

// These tests run shcr login / logout / auth status in-process against zitadel/oidc's
// example OpenID provider on loopback, with go-keyring's mock keyring. They do not run in
// parallel (the mock keyring is process-wide).

type authBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
	// watch, when set, sees everything written so far after each write (as the member of
	// staff reads the terminal).
	watch func(written string)
}

func (s *authBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	n, err := s.b.Write(p)
	written := s.b.String()
	s.mu.Unlock()
	if s.watch != nil {
		s.watch(written)
	}
	return n, err
}

// approveOnPrompt returns a buffer for stderr that approves the device code with approve as
// soon as the prompt shows it (the member of staff reads it off the terminal and approves it
// on another device), once; the code goes to approved.
func approveOnPrompt(t *testing.T, approve func(code string) error, approved chan<- string) *authBuffer {
	var once sync.Once
	return &authBuffer{watch: func(s string) {
		i := strings.Index(s, "Enter the code")
		if i < 0 {
			return
		}
		f := strings.Fields(s[i+len("Enter the code"):])
		if len(f) == 0 {
			return
		}
		once.Do(func() {
			if err := approve(f[0]); err != nil {
				t.Error(err)
			}
			approved <- f[0]
		})
	}}
}

func (s *authBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type authRun struct {
	stdout, stderr *authBuffer
	code           int
}

// runAuth runs one of the auth commands under a minimal root with the global flags the
// commands read (--config, --demo).
func runAuth(t *testing.T, getenv func(string) string, stderr *authBuffer, args ...string) authRun {
	t.Helper()
	r := authRun{stdout: &authBuffer{}, stderr: stderr}
	if r.stderr == nil {
		r.stderr = &authBuffer{}
	}
	a := &app{stdout: r.stdout, stderr: r.stderr, getenv: getenv, log: slog.New(slog.DiscardHandler), after: oidctest.NoWait}
	root := &cobra.Command{Use: "shcr", SilenceUsage: true, SilenceErrors: true}
	root.PersistentFlags().StringVar(&a.flags.config, "config", "", "")
	root.PersistentFlags().BoolVar(&a.flags.demo, "demo", false, "")
	root.AddCommand(newAuthCmds(a)...)
	root.SetArgs(args)
	root.SetOut(r.stdout)
	root.SetErr(r.stderr)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	err := root.ExecuteContext(ctx)
	var ee *exitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		r.code = ee.code
		if ee.msg != "" {
			r.stderr.Write([]byte(ee.msg + "\n"))
		}
	default:
		r.code = exitUsage
		r.stderr.Write([]byte(err.Error() + "\n"))
	}
	return r
}

func startExampleOP(t *testing.T) (issuer string, st *storage.Storage) {
	t.Helper()
	slog.SetDefault(slog.New(slog.DiscardHandler)) // the example OP logs through slog's default
	ts := httptest.NewUnstartedServer(nil)
	issuer = "http://" + ts.Listener.Addr().String() + "/"
	st = storage.NewStorageWithClients(storage.NewUserStore(issuer), map[string]*storage.Client{
		"shcr-device": storage.DeviceClient("shcr-device", "device-secret"),
	})
	ts.Config.Handler = exampleop.SetupServer(issuer, st, nil, false)
	ts.Start()
	t.Cleanup(ts.Close)
	return issuer, st
}

func writeAuthConfig(t *testing.T, issuer string) string {
	t.Helper()
	yaml := `# device sign-in to the test provider, a bearer back end, and one with no sign-in
user:
  role: R8000
backends:
  - name: council
    kind: fhir-r4
    url: http://127.0.0.1:1/fhir
    domain: social-care
    auth:
      type: device
      issuer: ` + issuer + `
      client_id: shcr-device
      client_secret_env: SHCR_DEVICE_SECRET
      scopes: [openid, profile]
  - name: dev
    kind: fhir-r4
    url: http://127.0.0.1:2/fhir
    domain: health
    auth:
      type: bearer
      token_env: SHCR_DEV_TOKEN
  - name: open
    kind: fhir-r4
    url: http://127.0.0.1:3/fhir
    domain: health
`
	path := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func authGetenv(t *testing.T, kv ...string) func(string) string {
	home := t.TempDir()
	m := map[string]string{"HOME": home, "XDG_CONFIG_HOME": filepath.Join(home, "config"), "XDG_STATE_HOME": filepath.Join(home, "state")}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) string { return m[k] }
}

func TestLoginStatusLogout(t *testing.T) {
	keyring.MockInit()
	issuer, st := startExampleOP(t)
	cfgPath := writeAuthConfig(t, issuer)
	env := authGetenv(t, "SHCR_DEVICE_SECRET", "device-secret", "SHCR_DEV_TOKEN", "dev-token-value-42")

	// Before: the device back end is signed out.
	before := runAuth(t, env, nil, "--config", cfgPath, "auth", "status")
	if before.code != 0 || !strings.Contains(before.stdout.String(), "signed out") ||
		!strings.Contains(before.stdout.String(), "Sign in with: shcr login council") {
		t.Fatalf("status before:\n%s%s", before.stdout, before.stderr)
	}

	// shcr login council: the code is printed on stderr; the user approves it elsewhere.
	approved := make(chan string, 1)
	stderr := approveOnPrompt(t, func(code string) error {
		return st.CompleteDeviceAuthorization(context.Background(), code, "id1")
	}, approved)
	login := runAuth(t, env, stderr, "--config", cfgPath, "login", "council")
	if login.code != 0 {
		t.Fatalf("login: exit %d\n%s%s", login.code, login.stdout, login.stderr)
	}
	select {
	case <-approved:
	default:
		t.Fatalf("no device code was shown on stderr:\n%s", stderr)
	}
	if !strings.Contains(login.stdout.String(), "Signed in to council as Test User (test-user@127.0.0.1).") {
		t.Fatalf("login stdout:\n%s", login.stdout)
	}
	if !strings.Contains(stderr.String(), "open  "+issuer+"device") || login.stdout.String() == "" {
		t.Fatalf("login prompt:\n%s", stderr)
	}
	// The sign-in is in the audit trail, as its own event.
	if evs, _, err := audit.Read(filepath.Join(env("XDG_STATE_HOME"), "shcr", "audit.jsonl"), audit.Filter{}); err != nil || len(evs) != 1 ||
		evs[0].Event != audit.SignedIn || evs[0].SignedInUser != "Test User (test-user@127.0.0.1)" || evs[0].Backends[0] != "council" {
		t.Errorf("audit trail after login: %+v %v", evs, err)
	}

	// The token, as stored in the keyring: it must never be printed.
	key, err := keyring.Get(config.KeyringService, "current/council")
	if err != nil {
		t.Fatal(err)
	}
	raw, err := keyring.Get(config.KeyringService, key)
	if err != nil {
		t.Fatal(err)
	}
	var stored struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal([]byte(raw), &stored); err != nil || stored.AccessToken == "" {
		t.Fatalf("stored session: %v", err)
	}

	status := runAuth(t, env, nil, "--config", cfgPath, "auth", "status")
	out := status.stdout.String()
	for _, want := range []string{
		"BACK END", "council", "device", "signed in", "Test User (test-user@127.0.0.1)", "(in 4 min)",
		"dev", "bearer", "token set", "token from $SHCR_DEV_TOKEN",
		"open", "no sign-in needed",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("status lacks %q:\n%s", want, out)
		}
	}
	for _, secret := range []string{stored.AccessToken, "dev-token-value-42", "device-secret"} {
		if strings.Contains(out+status.stderr.String()+login.stdout.String()+stderr.String(), secret) {
			t.Fatalf("a secret was printed:\n%s", out)
		}
	}

	// Sign out of council: the keyring entry goes, status says signed out.
	logout := runAuth(t, env, nil, "--config", cfgPath, "logout", "council")
	if logout.code != 0 || !strings.Contains(logout.stdout.String(), "Signed out of council.") {
		t.Fatalf("logout:\n%s%s", logout.stdout, logout.stderr)
	}
	if _, err := keyring.Get(config.KeyringService, key); !errors.Is(err, keyring.ErrNotFound) {
		t.Fatalf("token still in keyring: %v", err)
	}
	after := runAuth(t, env, nil, "--config", cfgPath, "auth", "status")
	if !strings.Contains(after.stdout.String(), "Sign in with: shcr login council") {
		t.Fatalf("status after logout:\n%s", after.stdout)
	}
}

func TestLoginErrors(t *testing.T) {
	keyring.MockInit()
	issuer, _ := startExampleOP(t)
	cfgPath := writeAuthConfig(t, issuer)
	env := authGetenv(t) // no SHCR_DEV_TOKEN

	r := runAuth(t, env, nil, "--config", cfgPath, "login", "nowhere")
	if r.code != exitUsage || !strings.Contains(r.stderr.String(), `no back end named "nowhere" (configured: council, dev, open)`) {
		t.Fatalf("unknown back end: exit %d\n%s", r.code, r.stderr)
	}
	r = runAuth(t, env, nil, "--config", cfgPath, "login", "dev")
	if r.code != exitPartial || !strings.Contains(r.stderr.String(), "$SHCR_DEV_TOKEN is not set") {
		t.Fatalf("bearer without its variable: exit %d\n%s", r.code, r.stderr)
	}
	r = runAuth(t, env, nil, "--config", cfgPath, "login", "open")
	if r.code != 0 || !strings.Contains(r.stdout.String(), "open: ready.") {
		t.Fatalf("no sign-in back end: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = runAuth(t, env, nil, "--demo", "login")
	if r.code != 0 || !strings.Contains(r.stdout.String(), "demo back ends need no sign-in") {
		t.Fatalf("demo: exit %d\n%s", r.code, r.stdout)
	}
	r = runAuth(t, env, nil, "--config", cfgPath, "logout", "council", "--all")
	if r.code != exitUsage {
		t.Fatalf("logout with both: exit %d", r.code)
	}
	r = runAuth(t, env, nil, "--config", cfgPath, "logout", "--all")
	if r.code != 0 || !strings.Contains(r.stdout.String(), "Signed out of every back end.") {
		t.Fatalf("logout --all: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

func TestLoginWithoutKeyringSaysSo(t *testing.T) {
	keyring.MockInitWithError(errors.New("no Secret Service"))
	t.Cleanup(keyring.MockInit)
	issuer, _ := startExampleOP(t)
	cfgPath := writeAuthConfig(t, issuer)
	env := authGetenv(t, "SHCR_DEV_TOKEN", "x")
	r := runAuth(t, env, nil, "--config", cfgPath, "auth", "status")
	if r.code != 0 || strings.Count(r.stderr.String(), "No system keyring is available") != 1 {
		t.Fatalf("status without keyring: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

func TestWriteAuthStatusNeverHasATokenField(t *testing.T) {
	// BackendAuthStatus carries no token; the table shows expiry in UK local time.
	now := time.Date(2026, 3, 12, 14, 0, 0, 0, time.UTC)
	var b bytes.Buffer
	writeAuthStatus(&b, []auth.BackendAuthStatus{
		{Backend: "region", Type: "pkce", State: auth.StateRefreshable, Identity: auth.Identity{Name: "Jane Carter", ID: "jcarter"}, Expiry: now.Add(-time.Minute), InMemory: true},
		{Backend: "desk", Type: "client-credentials", State: auth.StateSystem, Identity: auth.Identity{System: true, ID: "dispatch-desk"}, Detail: "private_key_jwt"},
	}, now)
	out := b.String()
	for _, want := range []string{"Jane Carter (jcarter)", "12-Mar-2026 13:59 (expired)", "signed in (renews when used)", "system dispatch-desk", "memory only"} {
		if !strings.Contains(out, want) {
			t.Errorf("lacks %q:\n%s", want, out)
		}
	}
}
