package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/zalando/go-keyring"

	"github.com/shcr-project/shcr/internal/audit"
	"github.com/shcr-project/shcr/internal/hostile"
)

// hostileGetToken is the bearer token shcr sends the hostile server, which echoes it back in
// its error bodies.
const hostileGetToken = "get-test-token.c2VjcmV0-9876543210"

// stringsIn lists every string in a decoded JSON value.
func stringsIn(v any, out *[]string) {
	switch x := v.(type) {
	case string:
		*out = append(*out, x)
	case map[string]any:
		for k, e := range x {
			*out = append(*out, k)
			stringsIn(e, out)
		}
	case []any:
		for _, e := range x {
			stringsIn(e, out)
		}
	}
}

// `shcr get` against a server whose every text field carries escape sequences, bidi
// overrides and invisible characters, and whose errors echo the bearer token: neither the
// text nor the JSON output, stderr, the debug log nor the audit trail carries any of it, and
// the record is still printed.
func TestGetAgainstHostileServer(t *testing.T) {
	t.Parallel() // runs the binary with its own home, config and state
	srv := hostile.Start()
	defer srv.Close()
	var cfg strings.Builder
	cfg.WriteString("backends:\n")
	for _, b := range srv.Backends("SHCR_TEST_HOSTILE_TOKEN") {
		fmt.Fprintf(&cfg, "  - name: %q\n    kind: %s\n    url: %s\n    domain: %s\n    timeout: 10s\n    auth: {type: bearer, token_env: SHCR_TEST_HOSTILE_TOKEN}\n",
			b.Name, b.Kind, b.URL, b.Domain)
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(file, []byte(cfg.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	env := append(testEnv(t), "SHCR_TEST_HOSTILE_TOKEN="+hostileGetToken)
	logFile := filepath.Join(dir, "debug.jsonl")

	text := shcr(t, env, "get", "--config", file, "--purpose", "direct-care", "--log", logFile, hostile.NHSNumber)
	js := shcr(t, env, "get", "--config", file, "--purpose", "direct-care", "--log", logFile, "--output", "json", hostile.NHSNumber)
	for name, r := range map[string]result{"text": text, "json": js} {
		if r.code != 4 {
			t.Errorf("%s: want exit 4 (one back end failed)\n%s", name, r)
		}
	}
	if !strings.Contains(text.stdout, "Smith") || !strings.Contains(text.stdout, "Discharged home.") || !strings.Contains(text.stdout, "Hostile errors") {
		t.Errorf("the record should be printed, naming the failed back end\n%s", text)
	}
	if n := len(srv.Authorizations()); n == 0 || !strings.Contains(srv.Authorizations()[0], hostileGetToken) {
		t.Fatalf("the server should have received the token (%d requests)", n)
	}

	logData, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatal(err)
	}
	auditData, err := os.ReadFile(filepath.Join(envValue(env, "XDG_STATE_HOME"), "shcr", "audit.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	outputs := map[string]string{
		"text stdout": text.stdout, "text stderr": text.stderr, "json stdout": js.stdout, "json stderr": js.stderr,
		"debug log": string(logData), "audit trail": string(auditData),
	}
	for name, out := range outputs {
		if strings.Contains(out, hostileGetToken) {
			t.Errorf("%s holds the bearer token", name)
		}
		if strings.Contains(out, "\x1b") {
			t.Errorf("%s holds ESC: %q", name, out[max(0, strings.Index(out, "\x1b")-40):min(len(out), strings.Index(out, "\x1b")+40)])
		}
		if leaks := hostile.TerminalLeaks(out); len(leaks) > 0 {
			t.Errorf("%s: %v", name, leaks)
		}
	}
	// JSON escapes ESC as \u001b: a consumer's `jq -r` would print it raw. None may be there.
	for name, out := range map[string]string{"json stdout": js.stdout, "debug log": string(logData), "audit trail": string(auditData)} {
		for _, esc := range []string{`\u001b`, `\u009b`, `\u009d`, `\u0007`, `\u202e`, `\u2067`} {
			if strings.Contains(out, esc) {
				t.Errorf("%s holds %s", name, esc)
			}
		}
	}
	var doc any
	if err := json.Unmarshal([]byte(js.stdout), &doc); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, js)
	}
	var all []string
	stringsIn(doc, &all)
	if len(all) < 100 {
		t.Fatalf("only %d strings in the JSON", len(all))
	}
	for _, s := range all {
		if what := hostile.Interpreted(s, true); what != "" {
			t.Errorf("JSON string %q: %s", s, what)
		}
	}
}

// `shcr audit` prints what was typed (a reveal reason, an "other" purpose) and what older
// versions wrote: escape sequences, bidi controls and line breaks in a cell do not reach the
// terminal or break the table.
func TestAuditTableIsTerminalSafe(t *testing.T) {
	path := writeTrail(t, audit.Event{Time: time.Date(2026, 7, 1, 14, 5, 0, 0, time.UTC), Event: audit.RestrictedRevealed,
		NHSNumber: "9990000026", Purpose: "other: \u202ecover\x1b]0;PWNED-TITLE\x07", Backends: []string{"council\x1b[2J"},
		Reason: "safeguarding\x1b]52;c;ZXZpbA==\x07 check\nsecond line\tand tab", SignedInUser: "Dr\u200b Carter"})
	// Wide enough that the table's own wrapping does not split the reason.
	out, _, err := runAuditCmd(t, "--file", path, "--width", "200")
	if err != nil {
		t.Fatal(err)
	}
	if leaks := hostile.TerminalLeaks(out); len(leaks) > 0 || strings.Contains(out, "\x1b") {
		t.Errorf("shcr audit wrote %v:\n%q", leaks, out)
	}
	if !strings.Contains(out, "check second line and tab") || !strings.Contains(out, "Dr Carter") {
		t.Errorf("the cells should keep their words on one line:\n%s", out)
	}
}

// A sign-in server's discovery document is server text too: `shcr login` says why discovery
// failed, quoting the issuer the document names, without the escape sequences in it.
func TestLoginAgainstHostileDiscovery(t *testing.T) {
	keyring.MockInit()
	srv := hostile.Start()
	defer srv.Close()
	cfg := fmt.Sprintf("backends:\n  - name: council\n    kind: fhir-r4\n    url: %s%s\n    domain: social-care\n    auth: {type: device, client_id: shcr, issuer: %q}\n",
		srv.URL, hostile.ErrorsPath, srv.URL+hostile.IssuerPath)
	file := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(file, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	r := runAuth(t, authGetenv(t), nil, "--config", file, "login", "council")
	out := r.stdout.String() + r.stderr.String()
	if r.code == 0 || !strings.Contains(out, "names issuer https://idp.example.org/") {
		t.Fatalf("discovery should fail, naming the issuer: exit %d\n%s", r.code, out)
	}
	if leaks := hostile.TerminalLeaks(out); len(leaks) > 0 || strings.Contains(out, "\x1b") {
		t.Errorf("shcr login wrote %v: %q", leaks, out)
	}
	if sent := srv.ForeignRequests(); len(sent) > 0 {
		t.Errorf("the foreign server was asked: %q", sent)
	}
}
