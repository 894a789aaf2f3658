package tui

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/shcr-project/shcr/internal/demo"
)

// captureStd runs f with the process's stdout and stderr sent to a pipe and returns what
// was written: Bubble Tea's own panic handler prints there, not to the program's output.
func captureStd(t *testing.T, f func()) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	out, errOut := os.Stdout, os.Stderr
	os.Stdout, os.Stderr = w, w
	done := make(chan []byte)
	go func() {
		b, _ := io.ReadAll(r)
		done <- b
	}()
	func() {
		defer func() { os.Stdout, os.Stderr = out, errOut }()
		f()
	}()
	_ = w.Close()
	return string(<-done)
}

// A panic inside the interface — in View (a hook called while drawing), in Update (a hook
// called while handling a key), in a command (a hook run in the background) — ends the
// program the ordinary way, restoring the terminal, with ErrInternal: a short message
// without record data. The panic's value, which here quotes a person, is printed nowhere.
func TestPanicRestoresTerminalAndPrintsNoRecordData(t *testing.T) {
	const secret = "OAKES, Winifred 999 678 0007 61 Tannery Close"
	fed, cfg := startDemo(t)
	var armed atomic.Bool // hooks panic only once the program runs
	cases := map[string]func(*Options) []tea.Msg{
		"view": func(o *Options) []tea.Msg {
			o.SignedIn = func() string {
				if armed.Load() {
					panic(secret)
				}
				return ""
			}
			return []tea.Msg{tea.WindowSizeMsg{Width: 100, Height: 30}}
		},
		"update": func(o *Options) []tea.Msg {
			o.Audit = func(AuditEvent) error { panic(secret) }
			// A search that finds nobody is recorded in the audit trail.
			return []tea.Msg{tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("999 000 0018")}, tea.KeyMsg{Type: tea.KeyEnter}}
		},
		"command": func(o *Options) []tea.Msg {
			o.Unlock = func(context.Context) error { panic(secret) }
			o.SignedIn = func() string { return "dr.test" }
			o.Clock = func() time.Time { // an hour passes once the program runs: the screen locks
				if armed.Load() {
					return demo.ReferenceDate.Add(time.Hour)
				}
				return demo.ReferenceDate
			}
			return []tea.Msg{IdleTickMsg{}, tea.KeyMsg{Type: tea.KeyEnter}}
		},
	}
	for name, setup := range cases {
		t.Run(name, func(t *testing.T) {
			armed.Store(false)
			var logged bytes.Buffer
			opts := Options{Federation: fed, Config: cfg, Purpose: demoPurpose, Clock: func() time.Time { return demo.ReferenceDate },
				Logger: slog.New(slog.NewTextHandler(&logged, nil))}
			msgs := setup(&opts)
			m, err := New(context.Background(), opts)
			if err != nil {
				t.Fatal(err)
			}
			var screen bytes.Buffer
			in, inW := io.Pipe()
			defer inW.Close()
			popts := []tea.ProgramOption{tea.WithAltScreen(), tea.WithInput(in), tea.WithOutput(&screen)}
			var runErr error
			std := captureStd(t, func() {
				done := make(chan struct{})
				go func() {
					defer close(done)
					runErr = runGuarded(context.Background(), m, popts, func(p *tea.Program) {
						go func() {
							p.Send(nil) // returns once the program's event loop runs (nil is dropped)
							armed.Store(true)
							for _, msg := range msgs {
								p.Send(msg)
							}
						}()
					})
				}()
				select {
				case <-done:
				case <-time.After(20 * time.Second):
					t.Fatal("the program did not end after the panic")
				}
			})
			if !errors.Is(runErr, ErrInternal) {
				t.Fatalf("Run returned %v, want ErrInternal", runErr)
			}
			for where, s := range map[string]string{"stdout/stderr": std, "screen": screen.String(), "error": runErr.Error(), "log": logged.String()} {
				for _, bad := range []string{"OAKES", "Winifred", "999 678 0007", "Tannery", "Caught panic"} {
					if strings.Contains(s, bad) {
						t.Errorf("%s shows %q:\n%s", where, bad, s)
					}
				}
			}
			// The terminal is given back: the alternate screen is left and the cursor shown.
			if s := screen.String(); !strings.Contains(s, "\x1b[?1049l") || !strings.Contains(s, "\x1b[?25h") {
				t.Errorf("terminal not restored: %q", s[max(len(s)-80, 0):])
			}
			if !strings.Contains(logged.String(), "panic caught") {
				t.Errorf("the log does not say a panic was caught:\n%s", logged.String())
			}
		})
	}
}
