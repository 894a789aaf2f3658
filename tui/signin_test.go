package tui

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shcr-project/shcr/client"
	"github.com/shcr-project/shcr/client/auth"
	"github.com/shcr-project/shcr/config"
	"github.com/shcr-project/shcr/internal/audit"
	"github.com/shcr-project/shcr/internal/demo"
	"github.com/shcr-project/shcr/internal/oidctest"
	"github.com/shcr-project/shcr/internal/purpose"
	"github.com/shcr-project/shcr/views/vocab"

	tea "github.com/charmbracelet/bubbletea"
)

// The sign-in panel against a real OpenID provider (zitadel's example OP, in-process): the
// demo council sits behind a guard that refuses requests without a token the provider
// issued, and signs in with the device grant; the other demo back ends need no sign-in.

var userCodeRe = regexp.MustCompile(`[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}`)

// testClock is a clock the test moves on (the sign-in's expiry decisions).
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type signInRig struct {
	op    *oidctest.Provider
	guard *oidctest.Guard
	m     *auth.Manager
	clock *testClock
	opts  Options
}

func newSignInRig(t *testing.T) *signInRig {
	t.Helper()
	srv, err := demo.Start(demo.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	op := oidctest.Start(t)
	council, _ := srv.Backend(demo.NameCouncil)
	guard := op.RequireToken(t, council.URL)
	var backends []config.Backend
	for _, b := range srv.Config() {
		if b.Name == demo.NameCouncil {
			b = op.DeviceBackend(b.Name, guard.URL, b.Domain, "SHCR_TEST_SECRET")
		}
		backends = append(backends, b)
	}
	user := config.User{Name: "Dr Test User", ID: "999999999999", Role: "R8000"}
	cfg := config.Config{User: user, Backends: backends}
	clock := &testClock{t: time.Now()}
	m := auth.NewManager(cfg, config.NewMemoryKeyring(), auth.Options{
		Getenv: func(k string) string { return map[string]string{"SHCR_TEST_SECRET": oidctest.DeviceSecret}[k] },
		Clock:  clock.now,
	})
	fed, err := client.NewFederation(cfg.Backends, client.Options{Tokens: m.TokenSource, User: user,
		Now: func() time.Time { return demo.ReferenceDate }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fed.Close) // before the servers close (startDemo)
	direct, err := purpose.Resolve(purpose.Inputs{Flag: "direct-care"})
	if err != nil {
		t.Fatal(err)
	}
	opts := Options{Federation: fed, Config: cfg, SignIn: m, SignOut: m.LogoutAll, Purpose: direct,
		SignedIn: func() string {
			if id, ok := m.SignedIn(); ok {
				return id.String()
			}
			return ""
		},
		Clock: func() time.Time { return demo.ReferenceDate }}
	return &signInRig{op: op, guard: guard, m: m, clock: clock, opts: opts}
}

func (r *signInRig) start(t *testing.T) *flow {
	t.Helper()
	m, err := New(context.Background(), r.opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.close)
	return newFlow(t, m, 120, 40)
}

// userCode waits for the panel to show a device code and returns it.
func (f *flow) userCode() string {
	f.t.Helper()
	out := f.waitForRe(`Enter the code:[\s\S]*` + userCodeRe.String())
	codes := userCodeRe.FindAll(out, -1)
	return string(codes[len(codes)-1])
}

func TestSignInPanelDeviceFlowThenSignOut(t *testing.T) {
	r := newSignInRig(t)
	v := vocab.Health()
	var trailMu sync.Mutex
	var trail []audit.Event
	r.opts.Audit = func(e audit.Event) error {
		trailMu.Lock()
		defer trailMu.Unlock()
		trail = append(trail, e)
		return nil
	}
	f := r.start(t)
	hint := "Sign in to " + demo.NameCouncil + " to see what it holds — press ctrl+l"
	f.waitFor(hint)
	f.waitFor(v.NotSignedIn)

	// The record opens with the other back ends; the council stands as a sign-in line.
	f.open(nhsMarchbank, "Marchbank")
	f.waitFor(hint)
	f.waitFor(demo.NameCouncil + " not queried: sign-in needed (press ctrl+l)")
	if _, passed := r.guard.Counts(); passed != 0 {
		t.Fatalf("the council was asked without a token (%d)", passed)
	}

	// ctrl+l: the panel shows where to go and the code; the user approves it elsewhere.
	f.press("ctrl+l")
	f.waitFor("Sign in to " + demo.NameCouncil)
	code := f.userCode()
	out := string(f.seen)
	for _, want := range []string{"1. On any device, open this address:", r.op.Issuer + "device", "The code expires in"} {
		if !strings.Contains(out, want) {
			t.Errorf("panel lacks %q", want)
		}
	}
	if err := r.op.Approve(code); err != nil {
		t.Fatal(err)
	}
	// The council's data appears (its care package provider) and the status bar names the user.
	who := oidctest.UserName + " (" + r.op.Username() + ")"
	f.waitFor("Brightwater Home Care Ltd")
	f.waitFor(who)
	f.waitLoaded()
	if _, passed := r.guard.Counts(); passed == 0 {
		t.Fatal("the council was never asked with a token")
	}

	// The session ends at the provider: the council refuses the token (401). Refreshing keeps
	// the screen and asks to sign in again in the same place; signing in again brings the
	// council's data back.
	if err := r.op.EndSession(oidctest.UserSubject); err != nil {
		t.Fatal(err)
	}
	f.press("r")
	f.waitFor(hint)
	f.waitLoaded()
	f.press("ctrl+l")
	if err := r.op.Approve(f.userCode()); err != nil {
		t.Fatal(err)
	}
	f.waitFor("Brightwater Home Care Ltd")
	f.waitLoaded()

	// Later the access token expires and the provider will not renew it: the same place asks
	// to sign in again.
	if err := r.op.EndSession(oidctest.UserSubject); err != nil {
		t.Fatal(err)
	}
	r.clock.add(2 * time.Hour)
	f.press("r")
	f.waitFor(hint)
	f.waitLoaded()
	if !r.m.NeedsLogin(demo.NameCouncil) {
		t.Fatal("an expired session that cannot be renewed should need a sign-in")
	}

	// Sign out (shared PC): asks first, then closes the record and clears the recent list.
	f.press("ctrl+o")
	f.waitFor("Sign out of every back end")
	f.press("enter")
	f.waitFor(v.SignedOut)
	m := f.final()
	if m.page != pageSearch || m.record.rec != nil || len(m.search.recent) != 0 || m.search.input.Value() != "" {
		t.Fatalf("after sign-out: page %v, record %v, recent %d", m.page, m.record.rec != nil, len(m.search.recent))
	}
	if _, ok := r.m.SignedIn(); ok || !r.m.NeedsLogin(demo.NameCouncil) {
		t.Fatal("still signed in after sign-out")
	}
	if s := m.View(); !strings.Contains(s, v.NotSignedIn) || strings.Contains(s, oidctest.UserName) || strings.Contains(s, "MARCHBANK") {
		t.Fatalf("status bar after sign-out:\n%s", s)
	}
	// Each sign-in is in the audit trail (its own event type), as is the sign-out.
	trailMu.Lock()
	defer trailMu.Unlock()
	var kinds []string
	signIns := 0
	for _, e := range trail {
		kinds = append(kinds, e.Event)
		if e.Event == audit.SignedIn {
			signIns++
			if len(e.Backends) != 1 || e.Backends[0] != demo.NameCouncil || !strings.Contains(e.SignedInUser, oidctest.UserName) {
				t.Errorf("sign-in event %+v", e)
			}
		}
	}
	if signIns != 2 || !slices.Contains(kinds, audit.SignedOut) {
		t.Errorf("audit events %v: want two %s and a %s", kinds, audit.SignedIn, audit.SignedOut)
	}
}

func TestSignInPanelRefused(t *testing.T) {
	r := newSignInRig(t)
	f := r.start(t)
	f.waitFor("press ctrl+l")
	f.press("ctrl+l")
	code := f.userCode()
	if err := r.op.Deny(code); err != nil {
		t.Fatal(err)
	}
	f.waitFor("Sign-in did not complete")
	f.waitFor("ctrl+l try again")
	f.press("esc")
	m := f.final()
	// Back to the search, still asking to sign in.
	if s := m.View(); len(m.stack) != 0 || strings.Contains(s, "Sign-in did not complete") || !strings.Contains(s, "press ctrl+l") {
		t.Fatalf("after esc:\n%s", s)
	}
	if _, ok := r.m.SignedIn(); ok {
		t.Fatal("signed in after a refusal")
	}
}

// The status bar names who is signed in, says "not signed in" where nobody is, and in the
// demo says nobody signs in.
func TestStatusBarAccount(t *testing.T) {
	v := vocab.Health()
	footer := func(o Options) string {
		t.Helper()
		o.Federation = offlineFederation(t)
		m, err := New(context.Background(), o)
		if err != nil {
			t.Fatal(err)
		}
		noTimers(m)
		m.Update(tea_size(100, 24))
		lines := strings.Split(m.View(), "\n")
		return lines[len(lines)-1]
	}
	nobody := func() string { return "" }
	if f := footer(Options{}); strings.Contains(f, v.NotSignedIn) || strings.Contains(f, v.DemoSignedIn) {
		t.Errorf("no sign-in given: %q", f)
	}
	if f := footer(Options{SignedIn: nobody}); !strings.Contains(f, v.NotSignedIn) {
		t.Errorf("nobody signed in: %q", f)
	}
	if f := footer(Options{SignedIn: nobody, Config: config.Config{Demo: true}}); !strings.Contains(f, v.DemoSignedIn) || strings.Contains(f, v.NotSignedIn) {
		t.Errorf("demo: %q", f)
	}
	if f := footer(Options{SignedIn: func() string { return "Jane Carter (jcarter)" }}); !strings.Contains(f, "Jane Carter (jcarter)") || strings.Contains(f, v.NotSignedIn) {
		t.Errorf("signed in: %q", f)
	}
}

// The idle lock's sign-in shows its device code in the lock panel, and only while it runs.
func TestUnlockPromptInLockPanel(t *testing.T) {
	m, err := New(context.Background(), Options{Federation: offlineFederation(t),
		SignedIn: func() string { return "Jane Carter (jcarter)" }, Unlock: func(context.Context) error { return nil }})
	if err != nil {
		t.Fatal(err)
	}
	noTimers(m)
	m.Update(tea_size(100, 30))
	m.lock()
	l := m.top().(*lockPanel)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	l.unlocking = cancel
	l.pumpID, _ = m.c.pump(ctx, func(func(tea.Msg)) tea.Msg { <-ctx.Done(); return nil })
	p := auth.Prompt{Backend: "council", Flow: string(config.AuthDevice), URL: "https://login.example.gov.uk/device",
		UserCode: "BCDF-GHJK", Expires: time.Now().Add(5 * time.Minute)}
	m.Update(pumpMsg{id: l.pumpID - 1, msg: p}) // an older sign-in's prompt: ignored
	if strings.Contains(m.View(), "BCDF-GHJK") {
		t.Fatal("an old prompt was shown")
	}
	m.Update(pumpMsg{id: l.pumpID, msg: p})
	s := m.View()
	for _, want := range []string{"Sign in to council", "https://login.example.gov.uk/device", "BCDF-GHJK"} {
		if !strings.Contains(s, want) {
			t.Errorf("lock panel lacks %q:\n%s", want, s)
		}
	}
	l.unlocking = nil // the sign-in ended
	if strings.Contains(m.View(), "BCDF-GHJK") {
		t.Error("the code is still shown after the sign-in ended")
	}
}
