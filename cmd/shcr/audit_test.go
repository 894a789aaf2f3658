package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shcr-project/shcr/internal/audit"
)

// writeTrail writes events with the real audit writer and returns the file's path.
func writeTrail(t *testing.T, events ...audit.Event) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "shcr", "audit.jsonl")
	l, err := audit.Open(path, audit.Options{OSUser: "jcarter"})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	for _, e := range events {
		if err := l.Append(e); err != nil {
			t.Fatal(err)
		}
	}
	return path
}

func runAuditCmd(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	cmd := newAuditCmd()
	var out, errb bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&errb)
	cmd.SetArgs(args)
	err = cmd.Execute()
	return out.String(), errb.String(), err
}

func sampleTrail(t *testing.T) string {
	return writeTrail(t,
		audit.Event{Time: time.Date(2026, 3, 10, 9, 30, 0, 0, time.UTC), Event: audit.RecordOpened, NHSNumber: "9434765919",
			Purpose: "direct-care", Backends: []string{"region", "council"}, Sections: []string{"care-packages", "next-of-kin"}},
		// 14:05 UTC in July is 15:05 in UK local time (BST).
		audit.Event{Time: time.Date(2026, 7, 1, 14, 5, 0, 0, time.UTC), Event: audit.RestrictedRevealed, NHSNumber: "9990000026",
			SignedInUser: "jane.carter@nhs.net", Purpose: "other", Reason: "complaint\x1b[31m review\nline two", Backends: []string{"council"},
			Sections: []string{"notes"}},
		audit.Event{Time: time.Date(2026, 7, 2, 8, 0, 0, 0, time.UTC), Event: audit.AccessRefused, NHSNumber: "9434765919",
			Purpose: "emergency", Backends: []string{"gp"}, Detail: "HTTP 403"},
	)
}

func TestAuditTable(t *testing.T) {
	path := sampleTrail(t)
	out, errOut, err := runAuditCmd(t, "--file", path)
	if err != nil {
		t.Fatal(err)
	}
	if errOut != "" {
		t.Errorf("stderr: %q", errOut)
	}
	// 80 columns: each event's first line, then the rest wrapped and indented beneath it.
	want := "" +
		"TIME (UK)             EVENT                NHS NUMBER    PURPOSE\n" +
		"10-Mar-2026 09:30:00  record-opened        943 476 5919  direct-care\n" +
		"    by jcarter; back ends: region, council; sections: care-packages, next-of-kin\n" +
		"01-Jul-2026 15:05:00  restricted-revealed  999 000 0026  other\n" +
		"    by jane.carter@nhs.net (jcarter); back ends: council; sections: notes;\n" +
		"    reason: complaint\ufffd review line two\n" +
		"02-Jul-2026 09:00:00  access-refused       943 476 5919  emergency\n" +
		"    by jcarter; back ends: gp; HTTP 403\n" +
		"3 events.\n"
	if out != want {
		t.Errorf("table:\n%s\nwant:\n%s", out, want)
	}
	if strings.ContainsRune(out, 0x1b) {
		t.Error("a terminal escape sequence from the file reached the terminal")
	}
}

func TestAuditFilters(t *testing.T) {
	path := sampleTrail(t)
	for _, since := range []string{"01-Jul-2026", "01/07/2026", "2026-07-01", "1 jul 2026"} {
		out, _, err := runAuditCmd(t, "--file", path, "--since", since)
		if err != nil {
			t.Fatalf("--since %s: %v", since, err)
		}
		if strings.Contains(out, "record-opened") || !strings.Contains(out, "restricted-revealed") ||
			!strings.HasSuffix(out, "2 events since 01-Jul-2026.\n") {
			t.Errorf("--since %s:\n%s", since, out)
		}
	}
	out, _, err := runAuditCmd(t, "--file", path, "--nhs", "943 476 5919")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out, "999 000 0026") || strings.Count(out, "943 476 5919") != 3 ||
		!strings.HasSuffix(out, "2 events for NHS number 943 476 5919.\n") {
		t.Errorf("--nhs:\n%s", out)
	}
	out, _, err = runAuditCmd(t, "--file", path, "--nhs", "9434765919", "--since", "02-Jul-2026")
	if err != nil || !strings.HasSuffix(out, "1 event since 02-Jul-2026 for NHS number 943 476 5919.\n") {
		t.Errorf("both filters: %v\n%s", err, out)
	}
	out, _, err = runAuditCmd(t, "--file", path, "--since", "01-Jan-2027")
	if err != nil || out != "No audit events since 01-Jan-2027 in "+path+".\n" {
		t.Errorf("nothing matches: %v %q", err, out)
	}
}

func TestAuditBadInput(t *testing.T) {
	path := sampleTrail(t)
	for _, tc := range []struct {
		args []string
		msg  string
	}{
		{[]string{"--since", "yesterday"}, `--since "yesterday" is not a date: type it as 12-Mar-2026, 12/03/2026 or 2026-03-12`},
		{[]string{"--since", "31/02/2026"}, `--since "31/02/2026" is not a date`},
		{[]string{"--nhs", "123"}, `--nhs "123": an NHS number has 10 digits, not 3`},
		{[]string{"--nhs", "9434765918"}, `--nhs "9434765918": this is not a valid NHS number: its check digit is wrong (Modulus 11)`},
		{[]string{"--nhs", ""}, `--nhs "": no NHS number given`},
		{[]string{"--nhs", "94347659A9"}, `--nhs "94347659A9": an NHS number has only digits`},
		{[]string{"9434765919"}, `takes no arguments (got "9434765919"); choose a person with --nhs NUMBER`},
		{[]string{"--bogus"}, `unknown flag: --bogus`},
		// Absurd input: a short message that repeats at most a few characters of it.
		{[]string{"--nhs", strings.Repeat("9", 10000)}, `--nhs not an NHS number (10,000 characters)`},
		{[]string{"--nhs", "943\x1b]0;pwned\x07476"}, `--nhs not an NHS number: it holds control characters`},
		{[]string{strings.Repeat("1", 5000)}, `takes no arguments (got "11111111111111111111"); choose`},
		{[]string{"--since", "\x1b[2J" + strings.Repeat("x", 5000)}, `--since "\x1b[2Jxxxxxxxxxxxxxxxx" is not a date`},
	} {
		_, _, err := runAuditCmd(t, append([]string{"--file", path}, tc.args...)...)
		var ue *auditUsageError
		if !errors.As(err, &ue) || ue.ExitCode() != 2 {
			t.Errorf("%v: error %v (%T), want a usage error with exit code 2", tc.args, err, err)
			continue
		}
		if len(err.Error()) > 200 {
			t.Errorf("%v: message of %d bytes", tc.args[:1], len(err.Error()))
		}
		if !strings.HasPrefix(err.Error(), "shcr audit: "+tc.msg) {
			t.Errorf("%v: message %q, want %q", tc.args, err, tc.msg)
		}
	}
}

func TestAuditDamagedLineWarns(t *testing.T) {
	path := sampleTrail(t)
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(`{"time":"2026-07-03T10:00:00Z","ev`)
	f.Close()
	out, errOut, err := runAuditCmd(t, "--file", path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(out, "3 events.\n") {
		t.Errorf("stdout:\n%s", out)
	}
	if !strings.Contains(errOut, "shcr audit: warning: "+path+": line 4 is damaged and was skipped") {
		t.Errorf("stderr: %q", errOut)
	}
}

func TestAuditMissingFileAndDefaultPath(t *testing.T) {
	state := t.TempDir()
	t.Setenv("XDG_STATE_HOME", state)
	out, _, err := runAuditCmd(t)
	want := "No audit trail yet: " + filepath.Join(state, "shcr", "audit.jsonl") + " does not exist (nothing has been opened as this user).\n"
	if err != nil || out != want {
		t.Errorf("missing file: %v %q", err, out)
	}
	// Events written at the path the command named are what it then shows.
	l, err := audit.Open(filepath.Join(state, "shcr", "audit.jsonl"), audit.Options{OSUser: "u"})
	if err != nil {
		t.Fatal(err)
	}
	l.Append(audit.Event{Event: audit.PersonNotFound, Purpose: "direct-care"})
	l.Close()
	out, _, err = runAuditCmd(t)
	if err != nil || !strings.Contains(out, "person-not-found") || !strings.HasSuffix(out, "1 event.\n") {
		t.Errorf("default path: %v\n%s", err, out)
	}
}

// Through the real root command: exit status and messages as a user sees them.
func TestAuditThroughRoot(t *testing.T) {
	state := t.TempDir()
	t.Setenv("XDG_STATE_HOME", state)
	l, err := audit.Open(filepath.Join(state, "shcr", "audit.jsonl"), audit.Options{OSUser: "jcarter"})
	if err != nil {
		t.Fatal(err)
	}
	l.Append(audit.Event{Time: time.Date(2026, 3, 12, 14, 5, 0, 0, time.UTC), Event: audit.RecordOpened,
		NHSNumber: "9434765919", Purpose: "direct-care", Backends: []string{"region"}})
	l.Close()

	var out, errOut bytes.Buffer
	code := run(t.Context(), []string{"audit", "--nhs", "943 476 5919"}, strings.NewReader(""), &out, &errOut, os.Getenv)
	if code != 0 || !strings.Contains(out.String(), "12-Mar-2026 14:05:00  record-opened  943 476 5919  direct-care\n    by jcarter; back ends: region\n") {
		t.Errorf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out.String(), errOut.String())
	}
	for _, args := range [][]string{{"audit", "--since", "tomorrow"}, {"audit", "--nhs", "123"}, {"audit", "--bogus"}, {"audit", "x"}} {
		out.Reset()
		errOut.Reset()
		code := run(t.Context(), args, strings.NewReader(""), &out, &errOut, os.Getenv)
		if code != 2 || !strings.HasPrefix(errOut.String(), "shcr audit: ") || out.Len() != 0 {
			t.Errorf("%v: exit %d, stderr %q, stdout %q", args, code, errOut.String(), out.String())
		}
	}
}
