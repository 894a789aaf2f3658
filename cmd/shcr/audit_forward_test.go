package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shcr-project/shcr/internal/audit"
	"github.com/shcr-project/shcr/internal/demo"
)

// forwardEnv writes a config with audit.file, the given audit.forward YAML and, as its back
// ends, the demo's regional record and council record served on loopback (real records,
// not the demo mode, whose events are never forwarded), and returns a getenv for run() and
// the trail's path.
func forwardEnv(t *testing.T, forwardYAML string) (getenv func(string) string, cfgPath, trail string) {
	t.Helper()
	records, err := demo.Start(demo.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(records.Close)
	home := t.TempDir()
	trail = filepath.Join(home, "state", "trail.jsonl")
	cfgPath = filepath.Join(home, "config.yaml")
	yaml := "purpose: direct-care\nbackends:\n"
	for _, name := range []string{demo.NameNHS, demo.NameCouncil} {
		b, _ := records.Backend(name)
		yaml += fmt.Sprintf("  - name: %q\n    kind: %s\n    url: %s\n    domain: %s\n", b.Name, b.Kind, b.URL, b.Domain)
	}
	yaml += "audit:\n  file: " + trail + "\n  forward:\n" + forwardYAML
	if err := os.WriteFile(cfgPath, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"HOME": home, "XDG_CONFIG_HOME": filepath.Join(home, "config"), "XDG_STATE_HOME": filepath.Join(home, "xdgstate")}
	return func(k string) string { return env[k] }, cfgPath, trail
}

func runIn(t *testing.T, getenv func(string) string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(t.Context(), args, strings.NewReader(""), &out, &errOut, getenv)
	return code, out.String(), errOut.String()
}

// demoAuditEvents is what the demo FHIR server holds.
func demoAuditEvents(t *testing.T, base string) []audit.AuditEvent {
	t.Helper()
	resp, err := http.Get(base + "/AuditEvent")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b struct {
		Entry []struct{ Resource audit.AuditEvent }
	}
	if err := json.NewDecoder(resp.Body).Decode(&b); err != nil {
		t.Fatal(err)
	}
	var out []audit.AuditEvent
	for _, e := range b.Entry {
		out = append(out, e.Resource)
	}
	return out
}

func trailLines(t *testing.T, path string) int {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Count(b, []byte("\n"))
}

// shcr get sends its audit events to the configured FHIR sink (the demo server) before it
// exits, to audit.file.
func TestGetForwardsAuditEvents(t *testing.T) {
	sink, err := demo.Start(demo.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer sink.Close()
	b, _ := sink.Backend(demo.NameNHS)
	getenv, cfg, trail := forwardEnv(t, "    - kind: fhir\n      url: "+b.URL+"\n")
	nhs := demoExample()
	code, _, stderr := runIn(t, getenv, "get", "--config", cfg, nhs)
	if code != exitOK && code != exitPartial {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if strings.Contains(stderr, "not yet sent") {
		t.Errorf("stderr: %s", stderr)
	}
	n := trailLines(t, trail)
	got := demoAuditEvents(t, b.URL)
	if n == 0 || len(got) != n {
		t.Fatalf("the sink holds %d AuditEvents, the trail %d events", len(got), n)
	}
	if got[0].Type.Code != "rest" || got[0].Entity[0].What.Identifier.Value != nhs {
		t.Errorf("first AuditEvent: %+v", got[0])
	}
	code, out, _ := runIn(t, getenv, "audit", "status", "--config", cfg)
	if code != 0 || !statusRow(out, "fhir "+b.URL, 0, n) {
		t.Errorf("status: exit %d\n%s", code, out)
	}
	// `shcr audit` reads audit.file.
	if code, out, _ := runIn(t, getenv, "audit", "--config", cfg); code != 0 || !strings.Contains(out, "record-opened") {
		t.Errorf("shcr audit: exit %d\n%s", code, out)
	}
}

// A sink that cannot be reached does not stop shcr: the record is shown, one line on stderr
// says how many events wait (counts and sink names only), and `shcr audit status` shows the
// backlog and the reason; `shcr audit forward` sends them once the sink is back.
func TestUnreachableSinkIsAWarning(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	sink, err := demo.Start(demo.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer sink.Close()
	b, _ := sink.Backend(demo.NameCouncil)
	// The FHIR sink's URL points at a port nobody listens on; the syslog one too.
	down := "http://" + addr + "/fhir"
	getenv, cfg, trail := forwardEnv(t, "    - kind: syslog\n      address: "+addr+"\n    - kind: fhir\n      url: "+down+"\n")
	nhs := demoExample()
	logFile := filepath.Join(t.TempDir(), "debug.log")
	code, stdout, stderr := runIn(t, getenv, "get", "--config", cfg, "--log", logFile, nhs)
	if (code != exitOK && code != exitPartial) || stdout == "" {
		t.Fatalf("exit %d, stdout %d bytes: %s", code, len(stdout), stderr)
	}
	n := trailLines(t, trail)
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	var warn string
	for _, l := range lines {
		if strings.Contains(l, "not yet sent") {
			warn = l
		}
	}
	want := fmt.Sprintf("shcr: warning: audit events not yet sent to the central audit service, kept in the audit trail and sent next time (shcr audit status): syslog %s: %d queued (", addr, n)
	if !strings.HasPrefix(warn, want) || !strings.Contains(warn, fmt.Sprintf("; fhir %s: %d queued (", down, n)) {
		t.Errorf("warning line:\n got %q\nwant %q…", warn, want)
	}
	if strings.Contains(stderr, nhs) {
		t.Errorf("the NHS number is on stderr: %s", stderr)
	}
	// The debug log names the sinks and counts, never event content.
	logged, err := os.ReadFile(logFile)
	if err != nil || !bytes.Contains(logged, []byte("audit forward failed")) || bytes.Contains(logged, []byte(nhs)) {
		t.Errorf("debug log (%v):\n%s", err, logged)
	}
	events, _ := os.ReadFile(trail)
	for _, e := range bytes.Split(bytes.TrimSpace(events), []byte("\n")) {
		if bytes.Contains(logged, e) {
			t.Errorf("an audit event is in the debug log: %s", e)
		}
	}
	code, out, _ := runIn(t, getenv, "audit", "status", "--config", cfg)
	if code != 0 || !statusRow(out, "syslog "+addr, n, 0) || !strings.Contains(out, "connection refused") {
		t.Errorf("status: exit %d\n%s", code, out)
	}
	if code, out, _ := runIn(t, getenv, "audit", "forward", "--timeout", "1s", "--config", cfg); code != exitFailure || !strings.Contains(out, fmt.Sprintf("%d queued", n)) {
		t.Errorf("forward while down: exit %d\n%s", code, out)
	}

	// The FHIR sink comes back (here: the config now names a live one) and is flushed on demand.
	getenv2, cfg2, _ := forwardEnv(t, "    - kind: fhir\n      url: "+b.URL+"\n")
	data, _ := os.ReadFile(cfg2)
	data = bytes.Replace(data, []byte(filepath.Join(filepath.Dir(cfg2), "state", "trail.jsonl")), []byte(trail), 1)
	if err := os.WriteFile(cfg2, data, 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runIn(t, getenv2, "audit", "forward", "--config", cfg2)
	if code != 0 || !strings.Contains(out, "fhir "+b.URL+": all sent") {
		t.Errorf("forward: exit %d\n%s%s", code, out, errOut)
	}
	if got := demoAuditEvents(t, b.URL); len(got) != n {
		t.Errorf("the sink holds %d, want %d", len(got), n)
	}
}

func TestAuditStatusWithoutSinks(t *testing.T) {
	home := t.TempDir()
	getenv := func(k string) string { return map[string]string{"HOME": home, "XDG_CONFIG_HOME": home}[k] }
	code, out, _ := runIn(t, getenv, "audit", "status")
	if code != 0 || !strings.Contains(out, "No central audit sinks configured") {
		t.Errorf("exit %d\n%s", code, out)
	}
}

// statusRow reports whether `shcr audit status` has the sink's row with those counts.
func statusRow(out, sink string, queued, sent int) bool {
	for _, l := range strings.Split(out, "\n") {
		if rest, ok := strings.CutPrefix(l, sink+" "); ok {
			f := strings.Fields(rest)
			return len(f) >= 2 && f[0] == fmt.Sprint(queued) && f[1] == fmt.Sprint(sent)
		}
	}
	return false
}

// A FHIR sink's token follows the back ends' rules: here a bearer token from the environment.
func TestFHIRSinkBearerToken(t *testing.T) {
	got := make(chan string, 10)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/fhir/AuditEvent" || r.Header.Get("Content-Type") != "application/fhir+json" {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		if r.Header.Get("Authorization") != "Bearer audit-token-7" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.WriteHeader(http.StatusCreated)
		got <- r.Header.Get("X-Request-ID")
	}))
	defer srv.Close()
	getenv, cfg, trail := forwardEnv(t, "    - kind: fhir\n      url: "+srv.URL+"/fhir\n      auth: {type: bearer, token_env: SHCR_AUDIT_TOKEN}\n")
	l, err := audit.Open(trail, audit.Options{OSUser: "t"})
	if err != nil {
		t.Fatal(err)
	}
	l.Append(audit.Event{Event: audit.ScreenLocked})
	l.Close()
	withToken := func(k string) string {
		if k == "SHCR_AUDIT_TOKEN" {
			return "audit-token-7"
		}
		return getenv(k)
	}
	// Without the token: refused, queued, the reason shown.
	if code, out, _ := runIn(t, getenv, "audit", "forward", "--config", cfg); code != exitFailure || !strings.Contains(out, "1 queued: no token for the audit service") {
		t.Errorf("without a token: exit %d\n%s", code, out)
	}
	if code, out, errOut := runIn(t, withToken, "audit", "forward", "--config", cfg); code != 0 || !strings.Contains(out, "all sent") {
		t.Errorf("with the token: exit %d\n%s%s", code, out, errOut)
	}
	if id := <-got; !strings.HasPrefix(id, "shcr-") {
		t.Errorf("X-Request-ID %q", id)
	}
}

// shcr killed (SIGKILL on Unix) while sending: the next run starts again from the saved cursor, and
// the sink ends with every event, in order; copies have the same id.
func TestKilledWhileForwardingResumes(t *testing.T) {
	var (
		mu       sync.Mutex
		received []string
		hold     = make(chan struct{})
		holding  = make(chan struct{}, 1)
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var ae struct{ ID string }
		if err := json.NewDecoder(r.Body).Decode(&ae); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		mu.Lock()
		received = append(received, ae.ID)
		n := len(received)
		mu.Unlock()
		if n == 700 { // the process is killed while this request waits
			holding <- struct{}{}
			<-hold
			return
		}
		w.WriteHeader(http.StatusCreated)
	}))
	defer srv.Close()
	defer close(hold)
	getenv, cfg, trail := forwardEnv(t, "    - kind: fhir\n      url: "+srv.URL+"\n")
	l, err := audit.Open(trail, audit.Options{OSUser: "t"})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 1000 {
		l.Append(audit.Event{Event: audit.SectionViewed, NHSNumber: "9990000018", Purpose: "direct-care", Detail: fmt.Sprint(i)})
	}
	l.Close()
	env := []string{"HOME=" + getenv("HOME"), "XDG_CONFIG_HOME=" + getenv("XDG_CONFIG_HOME"), "XDG_STATE_HOME=" + getenv("XDG_STATE_HOME"), "PATH=" + os.Getenv("PATH")}

	cmd := exec.Command(binary, "audit", "forward", "--config", cfg)
	cmd.Env = env
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-holding:
	case <-time.After(time.Minute):
		cmd.Process.Kill()
		t.Fatal("the first run never reached the 700th event")
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()

	if r := shcr(t, env, "audit", "forward", "--config", cfg); r.code != 0 {
		t.Fatalf("second run: %s", r)
	}
	mu.Lock()
	defer mu.Unlock()
	// The trail's ids, in order.
	data, err := os.ReadFile(trail)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	off := 0
	for _, line := range bytes.SplitAfter(data, []byte("\n")) {
		if len(line) > 1 {
			want = append(want, audit.EventID(int64(off), line[:len(line)-1]))
		}
		off += len(line)
	}
	seen := map[string]bool{}
	var uniq []string
	for _, id := range received {
		if !seen[id] {
			seen[id] = true
			uniq = append(uniq, id)
		}
	}
	if len(uniq) != len(want) {
		t.Fatalf("%d distinct events arrived, want %d", len(uniq), len(want))
	}
	for i := range want {
		if uniq[i] != want[i] {
			t.Fatalf("event %d out of order or lost", i)
		}
	}
	t.Logf("%d requests for %d events: %d copies after the kill", len(received), len(want), len(received)-len(want))
	if len(received) == len(want) {
		t.Error("no event was sent twice: the kill did not interrupt a batch")
	}
}

// A sink that cannot be set up (its CA file is missing) is a warning; the others still get
// every event.
func TestBrokenSinkDoesNotStopTheOthers(t *testing.T) {
	sink, err := demo.Start(demo.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer sink.Close()
	b, _ := sink.Backend(demo.NameNHS)
	missing := filepath.Join(t.TempDir(), "no-such-ca.pem")
	getenv, cfg, trail := forwardEnv(t, "    - kind: syslog\n      address: siem.example.org:6514\n      ca_file: "+missing+"\n    - kind: fhir\n      url: "+b.URL+"\n")
	code, _, stderr := runIn(t, getenv, "get", "--config", cfg, demoExample())
	if code != exitOK && code != exitPartial {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stderr, "shcr: warning: audit events are not being forwarded to audit.forward[0]: syslog siem.example.org:6514: ca_file: open "+missing) {
		t.Errorf("stderr: %s", stderr)
	}
	if got, n := len(demoAuditEvents(t, b.URL)), trailLines(t, trail); got != n {
		t.Errorf("the FHIR sink holds %d, the trail %d", got, n)
	}
}

// The demo's synthetic people never reach the organisation's central audit service: with
// audit.forward configured, `get --demo` writes its events to the demo trail only.
func TestDemoEventsNotForwarded(t *testing.T) {
	sink, err := demo.Start(demo.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer sink.Close()
	b, _ := sink.Backend(demo.NameNHS)
	getenv, cfg, trail := forwardEnv(t, "    - kind: fhir\n      url: "+b.URL+"\n")
	code, _, stderr := runIn(t, getenv, "get", "--demo", "--config", cfg, demoExample())
	if code != exitOK && code != exitPartial {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if n := trailLines(t, demoTrailPath(trail)); n == 0 {
		t.Fatal("no event in the demo trail")
	}
	if got := demoAuditEvents(t, b.URL); len(got) != 0 {
		t.Errorf("the central sink holds %d demo events", len(got))
	}
	if _, err := os.Stat(trail); !os.IsNotExist(err) {
		t.Errorf("the real trail was written (%v)", err)
	}
	if strings.Contains(stderr, "forward") {
		t.Errorf("stderr: %s", stderr)
	}
}
