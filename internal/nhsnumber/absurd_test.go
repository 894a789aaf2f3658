package nhsnumber

import (
	"errors"
	"runtime"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestAbsurdInput: whatever is typed or pasted, the message is one short line that repeats
// at most a few characters of it.
func TestAbsurdInput(t *testing.T) {
	for _, c := range []struct {
		name, in string
		err      error
		msg      string // the whole of Quoted()
	}{
		{"10,000 digits", strings.Repeat("9", 10000), ErrTooLong, "not an NHS number (10,000 characters)"},
		{"4,000 letters", strings.Repeat("x", 4000), ErrTooLong, "not an NHS number (4,000 characters)"},
		{"41 characters", strings.Repeat("1", 41), ErrTooLong, "not an NHS number (41 characters)"},
		{"long multibyte", strings.Repeat("é", 100), ErrTooLong, "not an NHS number (100 characters)"},
		{"ESC CSI", "943\x1b[2J4765919", ErrControl, "not an NHS number: it holds control characters"},
		{"OSC 52", "\x1b]52;c;ZXZpbA==\x07", ErrControl, "not an NHS number: it holds control characters"},
		{"NUL", "943476\x005919", ErrControl, "not an NHS number: it holds control characters"},
		{"RTL override", "943\u202e4765919", ErrControl, "not an NHS number: it holds control characters"},
		{"zero width", "943\u200b4765919", ErrControl, "not an NHS number: it holds control characters"},
		{"C1 CSI", "943\u009b4765919", ErrControl, "not an NHS number: it holds control characters"},
		{"invalid UTF-8", "943\xff4765919", ErrControl, "not an NHS number: it holds control characters"},
		{"DEL", "9434765919\x7f", ErrControl, "not an NHS number: it holds control characters"},
		{"short junk", "94347A5919", ErrCharacters, `"94347A5919": ` + ErrCharacters.Error()},
		{"short", "12345", ErrLength, `"12345": an NHS number has 10 digits, not 5`},
		{"17 letters not echoed", "abcdefghijklmnopq", ErrCharacters, ErrCharacters.Error()},
		{"emoji not echoed", "943🙂", ErrCharacters, ErrCharacters.Error()},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse(c.in)
			if !errors.Is(err, c.err) {
				t.Fatalf("Parse: %v, want %v", err, c.err)
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %T is not *Error", err)
			}
			if got := e.Quoted(); got != c.msg {
				t.Errorf("Quoted()\n got: %q\nwant: %q", got, c.msg)
			}
			for _, m := range []string{e.Error(), e.Quoted()} {
				if utf8.RuneCountInString(m) > 100 || strings.ContainsFunc(m, func(r rune) bool { return r < 0x20 || r >= 0x7f }) {
					t.Errorf("message too long or not plain: %q", m)
				}
			}
			if len(e.Input) > MaxInput {
				t.Errorf("the error keeps %d bytes of input", len(e.Input))
			}
		})
	}
}

// TestLongInputRefusedWithoutCopying: a megabyte of digits costs no memory in proportion.
func TestLongInputRefusedWithoutCopying(t *testing.T) {
	in := strings.Repeat("9", 1<<20)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for range 10 {
		if _, err := Parse(in); !errors.Is(err, ErrTooLong) {
			t.Fatal(err)
		}
	}
	runtime.ReadMemStats(&after)
	if got := after.TotalAlloc - before.TotalAlloc; got > 10*1024 {
		t.Errorf("ten parses of 1 MiB allocated %d bytes; want well under 1 KiB each", got)
	}
}
