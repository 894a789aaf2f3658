package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/shcr-project/shcr/internal/nhsnumber"
)

func TestWriteWindowTitle(t *testing.T) {
	var b bytes.Buffer
	restore := writeWindowTitle(&b)
	if b.String() != "\x1b[22;0t\x1b]2;shcr\x07" {
		t.Errorf("start: %q", b.String())
	}
	restore()
	if !strings.HasSuffix(b.String(), "\x1b[23;0t") {
		t.Errorf("restore: %q", b.String())
	}
	// Piped: no escape sequences at all.
	var pipe bytes.Buffer
	setWindowTitle(&pipe)()
	if pipe.Len() != 0 {
		t.Errorf("a pipe got %q", pipe.String())
	}
}

// TestWindowTitleInATerminal runs `shcr demo` in a pseudo-terminal (script(1)), opens a
// person and quits: the title is pushed and set to "shcr" before anything is drawn, never
// changed to anything else (the person's name), and popped back on exit.
func TestWindowTitleInATerminal(t *testing.T) {
	scriptPath, err := exec.LookPath("script")
	if err != nil {
		t.Fatalf("this test needs util-linux script(1) to give the TUI a terminal: %v", err)
	}
	p := demoPerson(t, "Active home-care package")
	env := append(testEnv(t), "TERM=xterm-256color", "NO_COLOR=1")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, scriptPath, "-qfec", "stty cols 100 rows 30; exec '"+binary+"' demo", "/dev/null")
	cmd.Env = env
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill() }()

	// Read the screen as it comes; each wait blocks on the terminal's output, not a clock.
	var screen strings.Builder
	r := bufio.NewReader(out)
	waitFor := func(what string) {
		t.Helper()
		buf := make([]byte, 4096)
		for !strings.Contains(screen.String(), what) {
			n, err := r.Read(buf)
			screen.Write(buf[:n])
			if err != nil {
				t.Fatalf("the screen never showed %q (%v); output:\n%q", what, err, screen.String())
			}
		}
	}
	waitFor("Find a patient")
	if _, err := io.WriteString(stdin, nhsnumber.Format(p.NHSNumber)+"\r"); err != nil {
		t.Fatal(err)
	}
	waitFor(strings.ToUpper(p.Family) + ",")
	waitFor("Back ends:")
	if _, err := io.WriteString(stdin, "\x03"); err != nil { // ctrl+c
		t.Fatal(err)
	}
	rest, _ := io.ReadAll(r)
	screen.Write(rest)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("shcr demo: %v", err)
	}
	s := screen.String()
	push := strings.Index(s, "\x1b[22;0t\x1b]2;shcr\x07")
	if push < 0 || strings.Contains(s[:push], "Find a patient") {
		t.Errorf("the title was not pushed and set before the screen was drawn:\n%q", s[:min(len(s), 300)])
	}
	pop := strings.LastIndex(s, "\x1b[23;0t")
	if pop < 0 || strings.Contains(s[pop:], p.Family) {
		t.Errorf("the title was not popped after the interface ended:\n%q", s[max(0, len(s)-300):])
	}
	titles := regexp.MustCompile("\x1b\\][012];([^\x07\x1b]*)").FindAllStringSubmatch(s, -1)
	for _, m := range titles {
		if m[1] != "shcr" {
			t.Errorf("the title was set to %q", m[1])
		}
	}
}
