package tui

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/shcr-project/shcr/client"
	"github.com/shcr-project/shcr/config"
	"github.com/shcr-project/shcr/internal/hostile"
	"github.com/shcr-project/shcr/internal/nhsnumber"
	"github.com/shcr-project/shcr/internal/purpose"
	"github.com/shcr-project/shcr/views"
	"github.com/shcr-project/shcr/views/vocab"
)

const tuiHostileToken = "tui-test-token.aG9zdGlsZQ-1122334455"

// The real program opened on a person from a server whose every text field carries OSC 52
// clipboard writes, title sequences, CSI, C1, bidi overrides and invisible characters, and
// whose errors echo the bearer token: walking every tab, the program writes no OSC sequence,
// no C1 or bidi rune and none of the payloads to the terminal (its own drawing is CSI only),
// the data is on screen, and neither the screen nor the audit trail carries the token.
func TestFlowHostileServer(t *testing.T) {
	f, srv, audited := startHostileProgram(t, Options{})
	// f.open waits for "SMITH,": here a placeholder stands between the name and the comma.
	f.typeText(nhsnumber.Format(hostile.NHSNumber))
	f.waitFor("valid. Press enter")
	f.press("enter")
	f.waitRecord("SMITH")
	f.waitLoaded()
	tabs := views.TabTitles(vocab.Health())
	for i := 1; i < len(tabs); i++ {
		n := string(rune('1' + i))
		f.press(n)
		f.waitForRe(`\[` + n + ` ` + tabs[i] + ` \(\d+!?\)\]`)
		f.press("down", "down", "up") // move the selection: the detail of each row is drawn
	}
	// The loop ends on the notes tab: go to the Summary and back, so the note's text is drawn
	// after a key press whatever was drawn before (only changed lines are redrawn).
	f.press("1")
	f.waitFor("[1 Summary]")
	f.press("8")
	f.waitFor("Discharged home.")
	f.press("1")
	f.waitFor("[1 Summary]")
	final := f.settled()
	// What was written to the terminal, and every screen the model drew (a frame may be
	// drawn over before it is written).
	out := string(f.out) + strings.Join(f.log.since(0), "\n")

	if leaks := hostile.TerminalLeaks(out); len(leaks) > 0 {
		t.Errorf("the program wrote hostile data to the terminal: %v", leaks)
	}
	if strings.Contains(out, tuiHostileToken) {
		t.Error("the bearer token the server echoed reached the screen")
	}
	for _, want := range []string{"SMITH", "Penicillin", "Leeds City Council", "Paracetamol"} {
		if !strings.Contains(out, want) {
			t.Errorf("the screen never showed %q", want)
		}
	}
	if bad, n := hostile.Unsafe(final.record.rec); len(bad) > 0 || n < 100 {
		t.Errorf("the record the TUI holds (%d strings) is not safe:\n%s", n, strings.Join(bad, "\n"))
	}
	if len(srv.Authorizations()) == 0 {
		t.Fatal("the server received no token: the echo was not tested")
	}

	events := audited()
	if len(events) == 0 {
		t.Fatal("no audit events")
	}
	js, err := json.Marshal(events)
	if err != nil {
		t.Fatal(err)
	}
	if s := string(js); strings.Contains(s, tuiHostileToken) || strings.Contains(s, `\u001b`) || len(hostile.TerminalLeaks(s)) > 0 {
		t.Errorf("the audit events carry hostile data or the token: %s", s)
	}
}

// The one OSC sequence shcr writes itself is a clipboard copy the user asks for (y): copying
// a contact's phone number from the hostile server puts the clean number on the clipboard,
// nothing else.
func TestFlowHostileCopyPhoneNumber(t *testing.T) {
	f, _, _ := startHostileProgram(t, Options{Role: RoleDispatcher})
	f.typeText(nhsnumber.Format(hostile.NHSNumber))
	f.waitFor("valid. Press enter")
	f.press("enter")
	f.waitRecord("SMITH")
	f.waitLoaded()
	f.press("y")
	out := string(f.waitFor("\x1b]52;c;"))
	f.settled()
	i := strings.Index(out, "\x1b]52;c;") + len("\x1b]52;c;")
	end := strings.IndexByte(out[i:], '\a')
	if end < 0 {
		t.Fatalf("unterminated OSC 52: %q", out[i:])
	}
	copied, err := base64.StdEncoding.DecodeString(out[i : i+end])
	if err != nil {
		t.Fatal(err)
	}
	if what := hostile.Interpreted(string(copied), false); what != "" || !strings.HasPrefix(string(copied), "07700 900") {
		t.Errorf("copied %q (%s)", copied, what)
	}
	if n := strings.Count(string(f.out), "\x1b]52"); n != 1 {
		t.Errorf("%d OSC 52 sequences written: only the copy the user asked for may be", n)
	}
}

// startHostileProgram runs the real program against the hostile server's two back ends, with
// a bearer token the server echoes; audited returns the audit events so far.
func startHostileProgram(t *testing.T, opts Options) (f *flow, srv *hostile.Server, audited func() []AuditEvent) {
	t.Helper()
	srv = hostile.Start()
	t.Cleanup(srv.Close)
	user := config.User{Name: "Dr Test User", ID: "999999999999", Role: "R8000"}
	cfg := config.Config{User: user, Backends: srv.Backends("")}
	fed, err := client.NewFederation(cfg.Backends, client.Options{User: user, Tokens: func(string) oauth2.TokenSource {
		return oauth2.StaticTokenSource(&oauth2.Token{AccessToken: tuiHostileToken, TokenType: "Bearer"})
	}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fed.Close) // before the servers close (startDemo)
	var (
		mu     sync.Mutex
		events []AuditEvent
	)
	opts.Federation, opts.Config = fed, cfg
	opts.Purpose = purpose.Resolved{Choice: purpose.Choice{Purpose: purpose.DirectCare}, Source: purpose.FromFlag}
	opts.Clock = func() time.Time { return time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC) }
	opts.Audit = func(e AuditEvent) error {
		mu.Lock()
		defer mu.Unlock()
		events = append(events, e)
		return nil
	}
	m, err := New(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.close)
	f = newFlow(t, m, 160, 50)
	return f, srv, func() []AuditEvent {
		mu.Lock()
		defer mu.Unlock()
		return append([]AuditEvent(nil), events...)
	}
}

// Every error the TUI shows (sign-in, sign-out, audit, lock) goes through flatLine: an error
// quoting a sign-in server's discovery document or error description is shown without what a
// terminal would act on, and without a credential it echoed.
func TestFlatLineIsTerminalSafe(t *testing.T) {
	in := "back end council: OpenID configuration names issuer https://idp/" + hostile.OSC52 + hostile.TitleBEL + hostile.BidiRLO +
		"evil\nnext line; client_secret=s3cr3t-value"
	got := flatLine(in)
	if leaks := hostile.TerminalLeaks(got); len(leaks) > 0 || hostile.Interpreted(got, false) != "" || strings.Contains(got, "s3cr3t-value") {
		t.Errorf("flatLine(%q) = %q", in, got)
	}
	if !strings.Contains(got, "names issuer https://idp/") || !strings.Contains(got, "evil next line;") {
		t.Errorf("flatLine lost the words: %q", got)
	}
}
