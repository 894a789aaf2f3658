package tui

import (
	"context"
	"errors"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
)

// overlay is the contract everything drawn over the page keeps (the sign-in panel, the
// sign-out question, the purpose of access, the reveal reason, the idle lock, the full help):
// a tea.Model that draws its own panel, with its own keys (help.KeyMap). The root keeps
// overlays on a stack: the top one has the keys (a non-modal one sees them on their way to
// the page); one that is done is popped; what it decided goes back to the root as a message.
type overlay interface {
	tea.Model
	help.KeyMap
	SetSize(w, h int)
	// Done reports that the overlay has finished and is to be popped.
	Done() bool
	// Place is how the panel sits on the screen.
	Place() placement
	// Modal reports that the page's keys are off while it is open (the status bar shows none).
	Modal() bool
	// PassKeys reports that, on top, it only sees the keys on their way to the page (the
	// full help); otherwise the top overlay keeps them.
	PassKeys() bool
}

// placement is where an overlay's panel goes.
type placement int

const (
	placeOver   placement = iota // centred over the page, the page around it
	placeDialog                  // centred over the page; a panel taller than the page replaces it
	placeScreen                  // alone in the middle of an otherwise empty screen
	placeFooter                  // in the status bar, which grows with it (the full help)
)

var (
	_ overlay = (*signInPanel)(nil)
	_ overlay = (*signOutPanel)(nil)
	_ overlay = (*purposeDialog)(nil)
	_ overlay = (*revealPrompt)(nil)
	_ overlay = (*lockPanel)(nil)
	_ overlay = (*helpBar)(nil)
	_ overlay = (*reader)(nil)
)

// overlayBase is what overlays share: the common state, the size and whether it is done.
type overlayBase struct {
	c    *common
	w, h int
	done bool
}

func (o *overlayBase) Init() tea.Cmd            { return nil }
func (o *overlayBase) SetSize(w, h int)         { o.w, o.h = w, h }
func (o *overlayBase) Done() bool               { return o.done }
func (o *overlayBase) PassKeys() bool           { return false }
func (o *overlayBase) ShortHelp() []key.Binding { return nil } // each panel names its own keys

// push puts an overlay on top of the stack.
func (m *Model) push(o overlay) {
	o.SetSize(m.c.width, m.c.height)
	m.stack = append(m.stack, o)
	m.setKeys()
}

// top is the overlay with the keys, nil when none is open.
func (m *Model) top() overlay {
	if len(m.stack) == 0 {
		return nil
	}
	return m.stack[len(m.stack)-1]
}

// drop removes the overlays for which gone is true.
func (m *Model) drop(gone func(overlay) bool) {
	out := m.stack[:0]
	for _, o := range m.stack {
		if !gone(o) {
			out = append(out, o)
		}
	}
	clear(m.stack[len(out):])
	m.stack = out
}

// showHelp opens the full help (an overlay that is not modal).
func (m *Model) showHelp() {
	if m.help.full {
		return
	}
	m.help.full = true
	m.push(m.help)
}

// hideHelp closes the full help.
func (m *Model) hideHelp() {
	m.help.full = false
	m.drop(overlay.Done)
}

// modal reports whether an overlay that takes the page's keys is open.
func (m *Model) modal() bool {
	for _, o := range m.stack {
		if o.Modal() {
			return true
		}
	}
	return false
}

// overlayMsg is a message for the overlays (a sign-in's prompt, a countdown tick): every
// overlay on the stack sees it and ignores what is not its own.
type overlayMsg interface{ forOverlay() }

// updateOverlays hands msg to the overlays: a key to the top one only (ok false when there
// is none, or when the top one passes keys on: the key goes on to the page, but the `?`
// that closed the help), an overlayMsg to every one. Finished overlays are popped.
func (m *Model) updateOverlays(msg tea.Msg) (tea.Cmd, bool) {
	var cmds []tea.Cmd
	switch msg := msg.(type) {
	case tea.KeyMsg:
		o := m.top()
		if o == nil || key.Matches(msg, m.c.keys.ForceQuit) {
			return nil, false
		}
		_, cmd := o.Update(msg)
		cmds = append(cmds, cmd)
		if o.PassKeys() && !(o.Done() && key.Matches(msg, m.c.keys.Help)) {
			if o.Done() {
				m.drop(overlay.Done)
				m.setKeys()
				m.layout()
			}
			return cmd, false
		}
	case tea.MouseMsg:
		// The mouse goes where the keys go: to the top overlay unless it passes keys on to
		// the page (the full help); an overlay without a mouse (a dialog) ignores it.
		o := m.top()
		if o == nil || o.PassKeys() {
			return nil, false
		}
		if mo, ok := o.(interface{ mouse(tea.MouseMsg) tea.Cmd }); ok {
			cmds = append(cmds, mo.mouse(msg))
		}
	case overlayMsg:
		for _, o := range append([]overlay(nil), m.stack...) {
			_, cmd := o.Update(msg)
			cmds = append(cmds, cmd)
		}
	default:
		return nil, false
	}
	m.drop(overlay.Done)
	m.setKeys()
	m.layout()
	return tea.Batch(cmds...), true
}

// overlaysView draws the open overlays over the page (body above footer), bottom first.
func (m *Model) overlaysView(body, footer string) string {
	w, h := m.c.width, m.c.height
	bodyH := max(h-lipgloss.Height(footer), 1)
	screen := ""
	for _, o := range m.stack {
		panel := o.View()
		switch o.Place() {
		case placeFooter: // drawn by footer
		case placeScreen:
			screen = lipgloss.Place(w, h, lipgloss.Center, lipgloss.Center, panel)
		case placeDialog:
			if lipgloss.Height(panel) >= bodyH {
				body = fitHeight(panel, bodyH)
			} else {
				body = centreOver(body, panel, w, bodyH)
			}
		default:
			body = centreOver(body, panel, w, bodyH)
		}
	}
	if screen != "" {
		return screen
	}
	return body + "\n" + footer
}

// pumpMsg is one message of work running outside the program (a sign-in): what it sent,
// and the command that waits for the next one (nil once the work has ended).
type pumpMsg struct {
	id   int
	msg  tea.Msg
	next tea.Cmd
}

func (pumpMsg) forOverlay() {}

type (
	pumpEnd   struct{ msg tea.Msg }
	pumpPanic struct{}
)

// errPumpPanic is what the waiting command panics with when the work panicked: the work's
// panic value (which may quote a person) goes no further; the guard ends the program.
var errPumpPanic = errors.New("tui: background work panicked")

// pump runs work outside the program; what it sends and then what it returns come back as
// pumpMsgs with the id returned, in order, until ctx ends.
func (c *common) pump(ctx context.Context, work func(send func(tea.Msg)) tea.Msg) (int, tea.Cmd) {
	c.pumps++
	id := c.pumps
	return id, runPump(ctx, 8, work, func(msg tea.Msg, next tea.Cmd) tea.Msg {
		return pumpMsg{id: id, msg: msg, next: next}
	})
}

// runPump is the one channel pump: work runs in its own goroutine; each message it sends,
// then the one it returns, comes back to the program as wrap(msg, next), next being the
// command that waits for the one after (nil after the last). The pump gives up when ctx
// ends; a panic in work ends the program through the guard, its value going no further.
func runPump(ctx context.Context, buf int, work func(send func(tea.Msg)) tea.Msg, wrap func(msg tea.Msg, next tea.Cmd) tea.Msg) tea.Cmd {
	ch := make(chan tea.Msg, buf)
	send := func(msg tea.Msg) {
		select {
		case ch <- msg:
		case <-ctx.Done():
		}
	}
	go func() {
		defer func() {
			if r := recover(); r != nil {
				send(pumpPanic{})
			}
		}()
		send(pumpEnd{work(send)})
	}()
	var listen func() tea.Cmd
	listen = func() tea.Cmd {
		return func() tea.Msg {
			select {
			case msg := <-ch:
				switch end := msg.(type) {
				case pumpEnd:
					return wrap(end.msg, nil)
				case pumpPanic:
					panic(errPumpPanic) // in a command: the guard catches it
				}
				return wrap(msg, listen())
			case <-ctx.Done():
				return nil
			}
		}
	}
	return listen()
}
