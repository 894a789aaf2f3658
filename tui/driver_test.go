package tui

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/shcr-project/shcr/client"
	"github.com/shcr-project/shcr/config"
	"github.com/shcr-project/shcr/internal/demo"
	"github.com/shcr-project/shcr/internal/purpose"
)

// startDemo runs the embedded demo back ends and a federation over them (plus extra back
// ends, e.g. a failing one) for the test's lifetime.
func startDemo(tb testing.TB, extra ...config.Backend) (*client.Federation, config.Config) {
	tb.Helper()
	srv, err := demo.Start(demo.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(srv.Close)
	user := config.User{Name: "Dr Test User", ID: "999999999999", Role: "R8000"}
	cfg := config.Config{Demo: true, User: user, Backends: append(srv.Config(), extra...)}
	fed, err := client.NewFederation(cfg.Backends, client.Options{User: user, Now: func() time.Time { return demo.ReferenceDate }})
	if err != nil {
		tb.Fatal(err)
	}
	// Before the servers close: a connection dialled for a request that was cancelled sits
	// in the pool, and the servers' shutdown would wait for it (2 s).
	tb.Cleanup(fed.Close)
	return fed, cfg
}

// driver runs a model synchronously: it calls Update and runs the commands it returns,
// feeding their messages back, until nothing is left. Timers (spinner, status bar) are not
// waited for, so a test is as fast as the back ends.
type driver struct {
	tb testing.TB
	m  *Model
}

func newDriver(tb testing.TB, opts Options, w, h int) *driver {
	tb.Helper()
	if !opts.Purpose.Preset() {
		opts.Purpose = demoPurpose // governance_test.go asks with newAskingDriver
	}
	return newAskingDriver(tb, opts, w, h)
}

// demoPurpose is the purpose `shcr demo` presets.
var demoPurpose = purpose.Resolved{Choice: purpose.Choice{Purpose: purpose.Demo}, Source: purpose.FromDemo}

// newAskingDriver is newDriver without a preset purpose unless opts has one: the TUI asks.
func newAskingDriver(tb testing.TB, opts Options, w, h int) *driver {
	tb.Helper()
	opts = withDemoNumbers(opts)
	m, err := New(context.Background(), opts)
	if err != nil {
		tb.Fatal(err)
	}
	noTimers(m)
	d := &driver{tb: tb, m: m}
	d.send(tea.WindowSizeMsg{Width: w, Height: h})
	d.run(m.Init())
	tb.Cleanup(m.close)
	return d
}

func (d *driver) send(msg tea.Msg) {
	_, cmd := d.m.Update(msg)
	d.run(cmd)
}

func (d *driver) run(cmd tea.Cmd) {
	queue := []tea.Cmd{cmd}
	deadline := time.Now().Add(20 * time.Second)
	for len(queue) > 0 {
		if time.Now().After(deadline) {
			d.tb.Fatal("driver: commands did not settle")
		}
		c := queue[0]
		queue = queue[1:]
		if c == nil {
			continue
		}
		msg := runTimed(c)
		switch msg := msg.(type) {
		case nil, timerMsg:
			continue
		case stuckMsg:
			d.tb.Fatal("driver: a command did not answer within 5 s (one that waits for something that never comes)")
		case tea.BatchMsg:
			queue = append(queue, msg...)
			continue
		case spinner.TickMsg, clearFlashMsg, clearCopyMsg:
			continue // timers: not waited for
		default:
			_, next := d.m.Update(msg)
			queue = append(queue, next)
		}
	}
}

type (
	timerMsg struct{}
	stuckMsg struct{}
)

// runTimed runs a command and waits for its message (a fetch answers from loopback); one
// that does not answer within 5 s is stuck (a listener that outlives its work, say).
func runTimed(c tea.Cmd) tea.Msg {
	ch := make(chan tea.Msg, 1)
	go func() { ch <- c() }()
	select {
	case m := <-ch:
		if _, ok := m.(spinner.TickMsg); ok {
			return timerMsg{}
		}
		return m
	case <-time.After(5 * time.Second):
		return stuckMsg{}
	}
}

// noTimers stops the model's timers (status bar, clipboard) from running in tests.
func noTimers(m *Model) {
	m.c.tick = func(time.Duration, func(time.Time) tea.Msg) tea.Cmd { return nil }
}
func (d *driver) keys(ks ...string) {
	for _, k := range ks {
		d.send(keyMsg(k))
	}
}

func (d *driver) typeText(s string) {
	for _, r := range s {
		d.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
}

func keyMsg(k string) tea.KeyMsg {
	switch k {
	case "enter":
		return tea.KeyMsg{Type: tea.KeyEnter}
	case "esc":
		return tea.KeyMsg{Type: tea.KeyEscape}
	case "tab":
		return tea.KeyMsg{Type: tea.KeyTab}
	case "shift+tab":
		return tea.KeyMsg{Type: tea.KeyShiftTab}
	case "up":
		return tea.KeyMsg{Type: tea.KeyUp}
	case "down":
		return tea.KeyMsg{Type: tea.KeyDown}
	case "pgdown":
		return tea.KeyMsg{Type: tea.KeyPgDown}
	case "pgup":
		return tea.KeyMsg{Type: tea.KeyPgUp}
	case "ctrl+c":
		return tea.KeyMsg{Type: tea.KeyCtrlC}
	case "backspace":
		return tea.KeyMsg{Type: tea.KeyBackspace}
	}
	if len(k) > 4 && k[:4] == "alt+" {
		return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k[4:]), Alt: true}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)}
}

func tea_size(w, h int) tea.WindowSizeMsg { return tea.WindowSizeMsg{Width: w, Height: h} }

// withDemoNumbers suggests the first demo people's NHS numbers on the search screen, as
// `shcr demo` does (cmd/shcr wires them in; the TUI does not know the demo).
func withDemoNumbers(opts Options) Options {
	if opts.Config.Demo && opts.DemoNumbers == nil {
		for _, p := range demo.People() {
			if p.NHSNumber != "" && len(opts.DemoNumbers) < 4 {
				opts.DemoNumbers = append(opts.DemoNumbers, p.NHSNumber)
			}
		}
	}
	return opts
}

// noSystemClipboard is the system clipboard of a headless machine: there is none. Tests use
// it so that they never write to the clipboard of the person running them.
func noSystemClipboard(string) error { return errNoClipboard }

var errNoClipboard = errors.New("no clipboard utilities available")
