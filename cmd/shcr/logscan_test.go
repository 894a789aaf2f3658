package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shcr-project/shcr/internal/audit"
	"github.com/shcr-project/shcr/internal/demo"
	"github.com/shcr-project/shcr/internal/nhsnumber"
)

// lockedBuffer is a bytes.Buffer safe to write from the process's copier and read here.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// demoIdentifiers is every identifier of every demo person and contact in the demo's seed
// (internal/demo/data/people.json): NHS numbers (spaced and not), family and given names,
// phone numbers (spaced and not), postcodes and address lines.
func demoIdentifiers(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "internal", "demo", "data", "people.json"))
	if err != nil {
		t.Fatal(err)
	}
	var seed any
	if err := json.Unmarshal(b, &seed); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	add := func(s string) {
		if s = strings.TrimSpace(s); len(s) >= 3 {
			seen[s] = true
		}
	}
	var walk func(key string, v any)
	walk = func(key string, v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				walk(k, x)
			}
		case []any:
			for _, x := range v {
				walk(key, x)
			}
		case string:
			switch key {
			case "nhs":
				add(v)
				add(nhsnumber.Format(v))
			case "family", "given", "postcode", "lines":
				add(v)
			case "value": // phones
				if regexp.MustCompile(`^[0-9 +]{10,}$`).MatchString(v) {
					add(v)
					add(strings.ReplaceAll(v, " ", ""))
				}
			}
		}
	}
	walk("", seed)
	out := make([]string, 0, len(seen))
	for s := range seen {
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}

// TestLogHasNoPersonalData runs a whole demo session in the real binary with --log on and
// scans the log for every demo person's identifiers and for tokens.
//
// How it is driven: the binary built by TestMain runs in a pseudo-terminal made by
// util-linux's script(1) (`script -qfec CMD /dev/null`), so Bubble Tea has a real terminal;
// the test types keys into script's standard input with pauses between them and waits for
// the screen to show what it expects. The session opens several demo people by NHS number,
// shows every tab, reveals the restricted case note (x and a reason), finds a person by name
// and date of birth and another by phone number, then quits.
func TestLogHasNoPersonalData(t *testing.T) {
	scriptPath, err := exec.LookPath("script")
	if err != nil {
		t.Fatalf("this test needs util-linux script(1) to give the TUI a terminal: %v", err)
	}
	env := append(testEnv(t), "TERM=xterm-256color", "NO_COLOR=1", "COLUMNS=120", "LINES=40")
	logPath := filepath.Join(t.TempDir(), "shcr.log")
	oakes := demoPerson(t, "restricted (R) case note")
	var people []demo.Person
	for _, p := range demo.People() {
		if p.NHSNumber != "" && p.NHSNumber != oakes.NHSNumber && len(people) < 2 {
			people = append(people, p)
		}
	}
	people = append(people, oakes)
	byPhone := ""
	for _, p := range demo.People() {
		if p.Phone != "" && p.NHSNumber != "" && p.NHSNumber != oakes.NHSNumber {
			byPhone = p.Phone
			break
		}
	}

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	shell := "stty cols 120 rows 40; exec '" + binary + "' demo --log '" + logPath + "'"
	cmd := exec.CommandContext(ctx, scriptPath, "-qfec", shell, "/dev/null")
	cmd.Env = env
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	var screen lockedBuffer
	cmd.Stdout, cmd.Stderr = &screen, &screen
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer func() {
		_ = cmd.Process.Kill()
	}()

	mark := 0
	waitFor := func(what string) {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for time.Now().Before(deadline) {
			if s := screen.String(); strings.Contains(s[mark:], what) {
				mark = len(s)
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
		s := screen.String()
		t.Fatalf("the screen never showed %q; last output:\n%s", what, s[max(len(s)-3000, 0):])
	}
	send := func(keys string, pause time.Duration) {
		t.Helper()
		if _, err := stdin.Write([]byte(keys)); err != nil {
			t.Fatalf("typing %q: %v", keys, err)
		}
		time.Sleep(pause)
	}
	typeText := func(s string) {
		for _, r := range s {
			send(string(r), 15*time.Millisecond)
		}
	}
	const esc = "\x1b"

	waitFor("Find a patient")
	for _, p := range people {
		typeText(nhsnumber.Format(p.NHSNumber))
		send("\r", 0)
		waitFor(strings.ToUpper(p.Family) + ",")
		time.Sleep(800 * time.Millisecond) // the back ends answer
		for _, tab := range "12345678" {
			send(string(tab), 150*time.Millisecond)
		}
		if p.NHSNumber == oakes.NHSNumber {
			send("8", 300*time.Millisecond) // the restricted note is the first row
			send("x", 0)
			waitFor("Reveal a restricted item")
			typeText("log scan test")
			send("\r", 0)
			waitFor("Revealed while this record is open")
		}
		send(esc, 500*time.Millisecond)
		waitFor("Find a patient")
	}
	typeText(oakes.Family + " " + demoDate(t, oakes.BirthDate))
	send("\r", 0)
	waitFor(strings.ToUpper(oakes.Family) + ",")
	time.Sleep(800 * time.Millisecond)
	send(esc, 500*time.Millisecond)
	waitFor("Find a patient")
	typeText(byPhone)
	send("\r", 0)
	waitFor("Back ends:")
	time.Sleep(800 * time.Millisecond)
	send(esc, 500*time.Millisecond)
	send("\x03", 0) // ctrl+c quits anywhere (q types into the search field)
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("shcr demo ended with %v; output:\n%s", err, screen.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("shcr demo did not quit on ctrl+c")
	}

	// The session really happened: the audit trail has the opens and the reveal.
	evs, _, err := audit.Read(filepath.Join(envValue(env, "XDG_STATE_HOME"), "shcr", "audit-demo.jsonl"), audit.Filter{}) // the demo trail
	if err != nil {
		t.Fatal(err)
	}
	opened, revealed := 0, 0
	for _, e := range evs {
		switch e.Event {
		case audit.RecordOpened:
			opened++
		case audit.RestrictedRevealed:
			revealed++
		}
	}
	if opened < len(people)+2 || revealed != 1 {
		t.Fatalf("audit trail: %d opened, %d revealed; want at least %d and 1", opened, revealed, len(people)+2)
	}

	logText, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(logText)), "\n")
	if len(lines) < 20 {
		t.Fatalf("the log has %d lines; the scan needs a real log:\n%s", len(lines), logText)
	}
	for i, l := range lines {
		if !json.Valid([]byte(l)) {
			t.Errorf("log line %d is not JSON: %s", i+1, l)
		}
	}
	ids := demoIdentifiers(t)
	if len(ids) < 50 {
		t.Fatalf("only %d identifiers from the demo seed", len(ids))
	}
	for _, id := range ids {
		re := regexp.MustCompile(`(?i)(^|[^\p{L}\p{N}])` + regexp.QuoteMeta(id) + `($|[^\p{L}\p{N}])`)
		if loc := re.FindIndex(logText); loc != nil {
			t.Errorf("the log contains %q: …%s…", id, logText[max(loc[0]-80, 0):min(loc[1]+80, len(logText))])
		}
	}
	for _, token := range []string{"Bearer ", "eyJ", "access_token", "refresh_token", "id_token"} {
		if i := bytes.Index(logText, []byte(token)); i >= 0 {
			t.Errorf("the log contains a token marker %q: …%s…", token, logText[max(i-80, 0):min(i+80, len(logText))])
		}
	}
	t.Logf("%d log lines scanned for %d identifiers", len(lines), len(ids))
}

// demoDate turns a seed date (1950-11-05) into what a user types (05-Nov-1950).
func demoDate(t *testing.T, iso string) string {
	t.Helper()
	d, err := time.Parse("2006-01-02", iso)
	if err != nil {
		t.Fatalf("demo birth date %q: %v", iso, err)
	}
	return d.Format("02-Jan-2006")
}

// Without an audit trail the interface does not open: one line saying why, exit 1, and no
// record shown. (XDG_STATE_HOME is a file here, so the trail's directory cannot be made.)
func TestInterfaceDoesNotOpenWithoutAuditTrail(t *testing.T) {
	env := testEnv(t)
	state := envValue(env, "XDG_STATE_HOME")
	if err := os.WriteFile(state, []byte("not a directory"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := shcr(t, env, "demo")
	lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
	if r.code != exitFailure || len(lines) != 1 || !strings.Contains(lines[0], "audit trail") ||
		!strings.Contains(lines[0], "shcr does not open without an audit trail") || r.stdout != "" {
		t.Fatalf("want exit 1 and one line about the audit trail:\n%s", r)
	}
}
