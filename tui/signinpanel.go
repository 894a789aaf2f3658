package tui

import (
	"context"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/shcr-project/shcr/client/auth"
	"github.com/shcr-project/shcr/internal/audit"
	"github.com/shcr-project/shcr/views"
)

// signInPanel is one sign-in at a time, for the first back end that needs one: the device
// code or browser address with a countdown, then the outcome (a failure stays on the panel).
type signInPanel struct {
	overlayBase
	need func() []string // the back ends needing a sign-in, for what is on screen now

	backend string
	prompt  *auth.Prompt
	err     string
	running bool
	pumpID  int
	cancel  context.CancelFunc
}

func newSignInPanel(c *common, need func() []string) *signInPanel {
	return &signInPanel{overlayBase: overlayBase{c: c}, need: need}
}

func (p *signInPanel) Place() placement { return placeOver }

func (p *signInPanel) Modal() bool { return false }

func (p *signInPanel) FullHelp() [][]key.Binding {
	k := p.c.dialogKeys
	return [][]key.Binding{{k.SignIn, k.Copy, k.Cancel}}
}

// start signs in to the first back end that needs it; false when none does.
func (p *signInPanel) start() (tea.Cmd, bool) {
	need := p.need()
	if len(need) == 0 {
		return nil, false
	}
	p.stop()
	ctx, cancel := context.WithCancel(p.c.ctx)
	p.backend, p.prompt, p.err, p.running, p.cancel = need[0], nil, "", true, cancel
	si, backend := p.c.opts.SignIn, p.backend
	p.c.log.Info("sign-in started", "backend", backend)
	var cmd tea.Cmd
	p.pumpID, cmd = p.c.pump(ctx, func(send func(tea.Msg)) tea.Msg {
		id, err := si.Login(auth.WithPrompt(ctx, func(pr auth.Prompt) { send(pr) }), backend)
		return signInResult{backend: backend, id: id, err: err}
	})
	return cmd, true
}

// stop cancels a sign-in in flight (the provider stops being polled).
func (p *signInPanel) stop() {
	if p.cancel != nil {
		p.cancel()
		p.cancel = nil
	}
	p.running = false
}

func (p *signInPanel) close() {
	p.stop()
	p.done = true
}

func (p *signInPanel) tick() tea.Cmd {
	id := p.pumpID
	return p.c.tick(time.Second, func(time.Time) tea.Msg { return signInTickMsg{id} })
}

// Update handles the panel's keys (esc closes it, ctrl+l tries again, y copies the address)
// and the sign-in's prompt and outcome.
func (p *signInPanel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case pumpMsg:
		if msg.id != p.pumpID || p.done {
			return p, nil
		}
		switch ev := msg.msg.(type) {
		case auth.Prompt:
			p.prompt = &ev
			return p, tea.Batch(msg.next, p.tick())
		case signInResult:
			return p, p.finished(ev)
		}
		return p, msg.next
	case signInTickMsg:
		if msg.id != p.pumpID || p.done || !p.running {
			return p, nil
		}
		return p, p.tick()
	case tea.KeyMsg:
		switch {
		case msg.Type == tea.KeyEscape:
			p.close()
		case key.Matches(msg, p.c.keys.SignIn) && !p.running:
			cmd, _ := p.start()
			return p, cmd
		case msg.String() == "y" && p.prompt != nil && p.err == "":
			u := p.prompt.URL
			if p.prompt.URLComplete != "" {
				u = p.prompt.URLComplete
			}
			return p, func() tea.Msg { return copyMsg{text: u} }
		}
	}
	return p, nil
}

// finished closes the panel and tells the root, or keeps the panel open with the reason
// the sign-in failed.
func (p *signInPanel) finished(ev signInResult) tea.Cmd {
	p.stop()
	if ev.err != nil {
		p.err = flatLine(ev.err.Error())
		p.c.log.Info("sign-in did not complete", "backend", ev.backend)
		return nil
	}
	p.close()
	p.c.log.Info("signed in", "backend", ev.backend)
	_ = p.c.record(audit.Event{Event: audit.SignedIn, SignedInUser: ev.id.String(), Backends: []string{ev.backend}})
	return func() tea.Msg { return signedInMsg{backend: ev.backend, id: ev.id} }
}

// View is the sign-in panel.
func (p *signInPanel) View() string {
	v, st, k := p.c.v, p.c.st, p.c.keys
	d := views.SignInPanel{Backend: p.backend, Err: p.err, SignInKey: k.SignIn.Help().Key,
		CancelKey: "esc", CopyKey: "y"}
	if pr := p.prompt; pr != nil {
		d.Flow, d.URL, d.URLComplete, d.UserCode = pr.Flow, pr.URL, pr.URLComplete, pr.UserCode
		d.Left = pr.Expires.Sub(p.c.now())
		if pr.BrowserErr != nil {
			d.BrowserErr = flatLine(pr.BrowserErr.Error())
		}
	}
	return views.SignInPanelView(d, v, st, p.w)
}

// signOutPanel asks before signing out of every back end (enter yes, esc no).
type signOutPanel struct{ overlayBase }

func newSignOutPanel(c *common) *signOutPanel { return &signOutPanel{overlayBase{c: c}} }

func (p *signOutPanel) Place() placement { return placeOver }

func (p *signOutPanel) Modal() bool { return false }

func (p *signOutPanel) FullHelp() [][]key.Binding {
	return [][]key.Binding{{p.c.dialogKeys.Apply, p.c.dialogKeys.Cancel}}
}

func (p *signOutPanel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if km, ok := msg.(tea.KeyMsg); ok {
		switch km.Type {
		case tea.KeyEnter:
			p.done = true
			return p, func() tea.Msg { return signOutMsg{} }
		case tea.KeyEscape:
			p.done = true
		}
	}
	return p, nil
}

func (p *signOutPanel) View() string {
	return views.SignOutPanelView(p.c.v, p.c.st, "enter", "esc", p.w)
}
