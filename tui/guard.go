package tui

import (
	"errors"
	"log/slog"
	"runtime/debug"
	"sync/atomic"

	tea "github.com/charmbracelet/bubbletea"
)

// ErrInternal is what Run returns after a panic inside the interface: the terminal has been
// restored and nothing from the record was printed. (Bubble Tea's own panic handler would
// print the panic's value, which may quote a person's details; the guard stops it first.)
var ErrInternal = errors.New("the interface stopped because of an internal error (a bug); the terminal was restored and no record data was printed. Please report it, with the --log file if there is one")

// guard wraps the root model so that a panic in Update, View or a command ends the program
// the ordinary way (tea.Quit restores the terminal) instead of reaching Bubble Tea's panic
// handler. The panic's value is never printed or logged; the log gets the stack (function
// names and addresses only).
type guard struct {
	m        tea.Model
	log      *slog.Logger
	panicked atomic.Bool
	quit     func() // ends the program from outside the event loop (a panic in View)
}

// cmdPanicMsg says a command panicked.
type cmdPanicMsg struct{}

func (g *guard) caught() tea.Cmd {
	if g.panicked.CompareAndSwap(false, true) {
		g.log.Error("panic caught: the interface stopped", "stack", string(debug.Stack()))
	}
	return tea.Quit
}

func (g *guard) Init() (cmd tea.Cmd) {
	defer func() {
		if r := recover(); r != nil {
			cmd = g.caught()
		}
	}()
	return g.wrap(g.m.Init())
}

func (g *guard) Update(msg tea.Msg) (model tea.Model, cmd tea.Cmd) {
	defer func() {
		if r := recover(); r != nil {
			model, cmd = g, g.caught()
		}
	}()
	if _, ok := msg.(cmdPanicMsg); ok || g.panicked.Load() {
		return g, tea.Quit
	}
	_, c := g.m.Update(msg)
	return g, g.wrap(c)
}

func (g *guard) View() (s string) {
	if g.panicked.Load() {
		return ""
	}
	defer func() {
		if r := recover(); r != nil {
			g.caught()
			if g.quit != nil {
				go g.quit()
			}
			s = ""
		}
	}()
	return g.m.View()
}

// wrap makes a command (and every command of a batch it returns) report a panic as
// cmdPanicMsg.
func (g *guard) wrap(c tea.Cmd) tea.Cmd {
	if c == nil {
		return nil
	}
	return func() (msg tea.Msg) {
		defer func() {
			if r := recover(); r != nil {
				g.caught()
				msg = cmdPanicMsg{}
			}
		}()
		msg = c()
		if b, ok := msg.(tea.BatchMsg); ok {
			out := make(tea.BatchMsg, len(b))
			for i := range b {
				out[i] = g.wrap(b[i])
			}
			return out
		}
		return msg
	}
}
