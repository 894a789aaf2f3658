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
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/fsnotify/fsnotify"

	"github.com/shcr-project/shcr/internal/audit"
	"github.com/shcr-project/shcr/internal/demo"
	"github.com/shcr-project/shcr/internal/nhsnumber"
)

// lockedBuffer is a bytes.Buffer safe to write from the process's copier and read here;
// each write closes the channel that Changed handed out, so a reader waits for new output
// instead of polling.
type lockedBuffer struct {
	mu      sync.Mutex
	b       bytes.Buffer
	changed chan struct{}
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.changed != nil {
		close(l.changed)
		l.changed = nil
	}
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// Changed returns what was written so far and a channel closed at the next write.
func (l *lockedBuffer) Changed() (string, <-chan struct{}) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.changed == nil {
		l.changed = make(chan struct{})
	}
	return l.b.String(), l.changed
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
// the test types keys into script's standard input and, after each, waits for the screen to
// show their result (woken by the program's output, never by a timer); it answers the
// terminal queries the TUI sends at start as a terminal would. Each record is left only once
// every back end has answered, so the log has every request. The session opens several demo people by NHS number,
// shows every tab, reveals the restricted case note (x and a reason), finds a person by name
// and date of birth and another by phone number, then quits.
func TestLogHasNoPersonalData(t *testing.T) {
	t.Parallel() // runs the binary with its own home, config and state
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
	byPhone, byPhoneFamily := "", ""
	for _, p := range demo.People() {
		if p.Phone != "" && p.NHSNumber != "" && p.NHSNumber != oakes.NHSNumber {
			byPhone, byPhoneFamily = p.Phone, p.Family
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

	// The terminal's side of the conversation: the TUI asks for the background colour (OSC
	// 11) and the cursor position before it starts; script(1) passes the questions through,
	// so the test answers as a terminal with a dark background would (unanswered, the TUI
	// waits 5 s for them).
	const (
		bgQuery  = "\x1b]11;?"
		bgAnswer = "\x1b]11;rgb:0000/0000/0000\x1b\\\x1b[1;1R"
	)
	send := func(keys string) {
		t.Helper()
		if _, err := stdin.Write([]byte(keys)); err != nil {
			t.Fatalf("typing %q: %v", keys, err)
		}
	}
	answered := 0
	mark := 0
	// waitUntil waits until found sees what it looks for in the output (the whole of it, and
	// where the last thing waited for ended); found returns where what it saw ends. Each write
	// of the program's output wakes it.
	waitUntil := func(what string, found func(out string, mark int) (end int, ok bool)) {
		t.Helper()
		deadline := time.NewTimer(30 * time.Second)
		defer deadline.Stop()
		for {
			s, changed := screen.Changed()
			if n := strings.Count(s, bgQuery); n > answered {
				answered = n
				if _, err := stdin.Write([]byte(bgAnswer)); err != nil {
					t.Fatalf("answering the terminal query: %v", err)
				}
			}
			if end, ok := found(s, mark); ok {
				mark = end
				return
			}
			select {
			case <-changed:
			case <-deadline.C:
				s := screen.String()
				t.Fatalf("the screen never showed %s; last output:\n%s", what, s[max(len(s)-3000, 0):])
			}
		}
	}
	// waitFor waits until the screen shows what after the last thing waited for.
	waitFor := func(what string) {
		t.Helper()
		waitUntil(strconv.Quote(what), func(out string, mark int) (int, bool) {
			i := strings.Index(out[mark:], what)
			return mark + i + len(what), i >= 0
		})
	}
	// waitOpened waits until the audit trail holds n record-opened events, woken by each
	// change in its directory. (The TUI records an open once every back end has answered,
	// just after it has drawn them answered.)
	auditPath := filepath.Join(envValue(env, "XDG_STATE_HOME"), "shcr", "audit-demo.jsonl") // a demo session: the demo trail
	trail, err := fsnotify.NewWatcher()
	if err != nil {
		t.Fatal(err)
	}
	defer trail.Close()
	waitOpened := func(n int) {
		t.Helper()
		deadline := time.NewTimer(30 * time.Second)
		defer deadline.Stop()
		for {
			evs, _, _ := audit.Read(auditPath, audit.Filter{})
			opened := 0
			for _, e := range evs {
				if e.Event == audit.RecordOpened {
					opened++
				}
			}
			if opened >= n {
				return
			}
			select {
			case <-trail.Events:
			case err := <-trail.Errors:
				t.Fatalf("watching the audit trail: %v", err)
			case <-deadline.C:
				t.Fatalf("the audit trail has %d record-opened events, want %d", opened, n)
			}
		}
	}
	opens := 0
	// openRecord presses enter in the search field and waits for the record page of the
	// person named family (it opens on the summary tab) with every back end answered: the
	// status line drawn last says none is loading ("Back ends:  Demo NHS ShCR ok (15)  Demo
	// County Council ok (6) …"), and the open is in the audit trail.
	openRecord := func(family string) {
		t.Helper()
		from := mark
		send("\r")
		waitFor("[1 Summary]")
		waitUntil("every back end answered", func(out string, mark int) (int, bool) {
			i := strings.LastIndex(out, "Back ends:")
			line, _, complete := strings.Cut(out[max(i, 0):], "\n")
			if i < from || !complete || strings.Contains(line, "loading") {
				return 0, false
			}
			return max(mark, i+len(line)), true
		})
		if name := strings.ToUpper(family) + ","; !strings.Contains(screen.String()[from:mark], name) {
			t.Fatalf("the record opened is not %s's:\n%s", name, screen.String()[from:mark])
		}
		opens++
		waitOpened(opens)
	}
	// typeText types s and waits for the field to show it after label.
	typeText := func(label, s string) {
		t.Helper()
		send(s)
		waitFor(label + s)
	}
	const search = "Patient: " // the search field
	const esc = "\x1b"

	waitFor("Find a patient")
	// The trail's directory exists once the TUI is up (it does not open without the trail).
	if err := trail.Add(filepath.Dir(auditPath)); err != nil {
		t.Fatal(err)
	}
	for _, p := range people {
		typeText(search, nhsnumber.Format(p.NHSNumber))
		openRecord(p.Family)
		// Every tab (the summary, tab 1, is open: it is shown again last).
		for _, tab := range "23456781" {
			send(string(tab))
			waitFor("[" + string(tab) + " ")
		}
		if p.NHSNumber == oakes.NHSNumber {
			send("8") // the restricted note is the first row
			waitFor("[8 ")
			send("x")
			waitFor("Reveal a restricted item")
			typeText("", "log scan test")
			send("\r")
			waitFor("Revealed while this record is open")
		}
		send(esc)
		waitFor("Find a patient")
	}
	typeText(search, oakes.Family+" "+demoDate(t, oakes.BirthDate))
	openRecord(oakes.Family)
	send(esc)
	waitFor("Find a patient")
	typeText(search, byPhone)
	openRecord(byPhoneFamily)
	send(esc)
	waitFor("Find a patient")
	send("\x03") // ctrl+c quits anywhere (q types into the search field)
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("shcr demo ended with %v; output:\n%s", err, screen.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("shcr demo did not quit on ctrl+c")
	}

	// The session really happened: the audit trail has the opens and the reveal.
	evs, _, err := audit.Read(auditPath, audit.Filter{})
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
	folded := foldCase(string(logText))
	for _, id := range ids {
		if i, n := indexWord(folded, foldCase(id)); i >= 0 {
			t.Errorf("the log contains %q: …%s…", id, folded[max(i-80, 0):min(i+n+80, len(folded))])
		}
	}
	for _, token := range []string{"Bearer ", "eyJ", "access_token", "refresh_token", "id_token"} {
		if i := bytes.Index(logText, []byte(token)); i >= 0 {
			t.Errorf("the log contains a token marker %q: …%s…", token, logText[max(i-80, 0):min(i+80, len(logText))])
		}
	}
	t.Logf("%d log lines scanned for %d identifiers", len(lines), len(ids))
}

// foldCase maps each rune of s to the smallest rune of its case-folding orbit (the
// equivalence a (?i) regular expression uses: k, K and the Kelvin sign are one), invalid
// UTF-8 to U+FFFD; a case-insensitive match in s is then an exact match in foldCase(s).
func foldCase(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		low := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			low = min(low, f)
		}
		b.WriteRune(low)
	}
	return b.String()
}

// indexWord finds word in text where neither the rune before it nor the one after it is a
// letter or a number (or it is at the start or end): what (^|[^\p{L}\p{N}])word($|[^\p{L}\p{N}])
// matches. It returns the byte index and length of the first such place, or -1. (One pass of
// strings.Index per candidate: a regular expression per identifier took seconds under -race.)
func indexWord(text, word string) (int, int) {
	if word == "" {
		return -1, 0
	}
	alnum := func(r rune) bool { return unicode.IsLetter(r) || unicode.IsNumber(r) }
	for from := 0; from <= len(text); {
		i := strings.Index(text[from:], word)
		if i < 0 {
			return -1, 0
		}
		i += from
		before, _ := utf8.DecodeLastRuneInString(text[:i])
		after, _ := utf8.DecodeRuneInString(text[i+len(word):])
		if (i == 0 || !alnum(before)) && (i+len(word) == len(text) || !alnum(after)) {
			return i, len(word)
		}
		_, size := utf8.DecodeRuneInString(text[i:])
		from = i + size
	}
	return -1, 0
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
	t.Parallel() // runs the binary with its own home, config and state
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

// indexWord on case-folded text finds exactly what the log scan's regular expression,
// (?i)(^|[^\p{L}\p{N}])word($|[^\p{L}\p{N}]), finds.
func TestIndexWordMatchesTheRegexp(t *testing.T) {
	texts := []string{
		"", "Smith", "smith", "SMITH,", "xsmith", "smithy", "Mr Smith.", "1smith", "smith2", "_smith_",
		"ſmith", "ſMITH", "Ѕmith", "Smith\xffx", "\xffsmith", "smith-smithy smith", "smithsmith smith",
		"12 Larkspur Row", "12 larkspur rowan", "x12 Larkspur Row", "12  Larkspur Row", "0 12 larkspur row",
		"9991230009", "99912300091", "a9991230009", "nhs=9991230009&", "999 123 0009", "Ünïcödé", "ünïcödé!",
		"Kelvin \u212a", "kelvin k", "Straße", "STRASSE",
	}
	words := []string{"Smith", "12 Larkspur Row", "9991230009", "999 123 0009", "Ünïcödé", "Kelvin K", "Straße", "smith"}
	for _, w := range words {
		re := regexp.MustCompile(`(?i)(^|[^\p{L}\p{N}])` + regexp.QuoteMeta(w) + `($|[^\p{L}\p{N}])`)
		for _, text := range texts {
			want := re.MatchString(text)
			i, _ := indexWord(foldCase(text), foldCase(w))
			if got := i >= 0; got != want {
				t.Errorf("%q in %q: indexWord says %v, the regexp %v", w, text, got, want)
			}
		}
	}
}
