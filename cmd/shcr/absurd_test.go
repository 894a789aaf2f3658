package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestGetAbsurdNHSNumber runs shcr get as a real process with arguments no one would type
// (and some an attacker would paste): exit 2, one short line on stderr that repeats nothing
// of the argument, nothing on stdout, nothing of it in the log.
func TestGetAbsurdNHSNumber(t *testing.T) {
	t.Parallel() // runs the binary with its own home, config and state
	for _, tc := range []struct {
		name string
		args []string
		want string // the whole of stderr
	}{
		{"10,000 digits", []string{strings.Repeat("9", 10000)}, "shcr get: not an NHS number (10,000 characters)\n"},
		{"4,000 characters over two arguments", []string{strings.Repeat("1", 1999), strings.Repeat("2", 2000)}, "shcr get: not an NHS number (4,000 characters)\n"},
		{"ESC sequences", []string{"943\x1b[2J\x1b]0;pwned\x07476 5919"}, "shcr get: not an NHS number: it holds control characters\n"},
		{"OSC 52", []string{"\x1b]52;c;ZXZpbA==\x07"}, "shcr get: not an NHS number: it holds control characters\n"},
		{"RTL override", []string{"943 476 \u202e9195"}, "shcr get: not an NHS number: it holds control characters\n"},
		{"junk", []string{"DROP TABLE patients; --"}, "shcr get: an NHS number has only digits (spaces and dashes are allowed between them)\n"},
		{"short junk is quoted", []string{"94347A5919"}, `shcr get: "94347A5919": an NHS number has only digits (spaces and dashes are allowed between them)` + "\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := testEnv(t)
			logFile := filepath.Join(t.TempDir(), "debug.jsonl")
			args := append([]string{"get", "--demo", "--log", logFile}, tc.args...)
			r := shcr(t, env, args...)
			if r.code != 2 || r.stdout != "" || r.stderr != tc.want {
				t.Fatalf("want exit 2, no stdout and exactly\n%q\ngot exit %d, stdout %d bytes, stderr %q", tc.want, r.code, len(r.stdout), truncate(r.stderr))
			}
			data, _ := os.ReadFile(logFile)
			for _, a := range tc.args {
				if len(a) >= 8 && bytes.Contains(data, []byte(a[:8])) {
					t.Errorf("the log holds the argument: %q", truncate(string(data)))
				}
			}
			if bytes.ContainsAny(data, "\x1b\u202e") {
				t.Errorf("the log holds control characters")
			}
		})
	}
}

// TestGetNULInNHSNumber: argv cannot carry NUL, so this one runs the command in-process.
func TestGetNULInNHSNumber(t *testing.T) {
	env := testEnv(t)
	var out, errb bytes.Buffer
	code := run(context.Background(), []string{"get", "--demo", "943476\x005919"}, strings.NewReader(""), &out, &errb, func(k string) string { return envValue(env, k) })
	if want := "shcr get: not an NHS number: it holds control characters\n"; code != 2 || out.Len() != 0 || errb.String() != want {
		t.Errorf("want exit 2 and %q; got exit %d, stdout %q, stderr %q", want, code, out.String(), errb.String())
	}
}

func truncate(s string) string {
	if utf8.RuneCountInString(s) > 200 {
		return string([]rune(s)[:200]) + "…"
	}
	return s
}
