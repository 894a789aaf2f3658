package tui

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/teatest"
	"golang.org/x/oauth2"

	"github.com/shcr-project/shcr/client"
	"github.com/shcr-project/shcr/config"
	"github.com/shcr-project/shcr/internal/hostile"
	"github.com/shcr-project/shcr/internal/nhsnumber"
	"github.com/shcr-project/shcr/internal/purpose"
	"github.com/shcr-project/shcr/views/vocab"
)

const tuiHostileToken = "tui-test-token.aG9zdGlsZQ-1122334455"

// The real program opened on a person from a server whose every text field carries OSC 52
// clipboard writes, title sequences, CSI, C1, bidi overrides and invisible characters, and
// whose errors echo the bearer token: walking every tab, the program writes no OSC sequence,
// no C1 or bidi rune and none of the payloads to the terminal (its own drawing is CSI only),
// the data is on screen, and neither the screen nor the audit trail carries the token.
func TestFlowHostileServer(t *testing.T) {
	srv := hostile.Start()
	t.Cleanup(srv.Close)
	user := config.User{Name: "Dr Test User", ID: "999999999999", Role: "R8000"}
	cfg := config.Config{User: user, Backends: srv.Backends("")}
	fed, err := client.NewFederation(cfg.Backends, client.Options{User: user, Tokens: func(string) oauth2.TokenSource {
		return oauth2.StaticTokenSource(&oauth2.Token{AccessToken: tuiHostileToken, TokenType: "Bearer"})
	}})
	if err != nil {
		t.Fatal(err)
	}
	var (
		mu     sync.Mutex
		events []AuditEvent
	)
	m, err := New(context.Background(), Options{
		Federation: fed, Config: cfg,
		Purpose: purpose.Resolved{Choice: purpose.Choice{Purpose: purpose.DirectCare}, Source: purpose.FromFlag},
		Clock:   func() time.Time { return time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC) },
		Audit: func(e AuditEvent) error {
			mu.Lock()
			defer mu.Unlock()
			events = append(events, e)
			return nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.close)
	f := &flow{t: t, tm: teatest.NewTestModel(t, m, teatest.WithInitialTermSize(160, 50))}

	// f.open waits for "SMITH,": here a placeholder stands between the name and the comma.
	f.typeText(nhsnumber.Format(hostile.NHSNumber))
	f.waitFor("valid. Press enter")
	f.press("enter")
	f.waitFor("SMITH")
	f.waitLoaded()
	tabs := vocab.Health().Tabs()
	for i := 1; i < len(tabs); i++ {
		n := string(rune('1' + i))
		f.press(n)
		f.waitForRe(`\[` + n + ` ` + tabs[i] + ` \(\d+!?\)\]`)
		f.press("down", "down", "up") // move the selection: the detail of each row is drawn
	}
	f.press("8")
	f.waitFor("Discharged home.")
	f.press("1")
	f.waitFor("[1 Summary]")
	final := f.settled()
	out := string(f.out)

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

	mu.Lock()
	defer mu.Unlock()
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
